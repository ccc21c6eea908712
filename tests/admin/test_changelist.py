"""The article list in the admin reads a fixed number of queries however many articles there are."""

import pytest

from tests.factories import make_agency, make_article

from .helpers import CHANGELIST_URL

pytestmark = pytest.mark.django_db

# 2 session and user, 2 the user's permissions (own and through the group),
# 2 sections and agencies for the list filters, 2 counts (filtered and total),
# 1 the page of articles with section and agency joined in (list_select_related),
# 2 the date hierarchy (first and last date, then the dates between).
# Nothing per row: a query per article would make this 11 + 50.
CHANGELIST_QUERIES = 11


@pytest.mark.parametrize("count", [10, 100])
def test_changelist_reads_a_fixed_number_of_queries(editor_client, count, django_assert_max_num_queries):
    agencies = ["dpa", make_agency(), None]
    sections = ["inland", "ausland", "wirtschaft"]
    for number in range(count):
        make_article(section=sections[number % 3], agency=agencies[number % 3])

    with django_assert_max_num_queries(CHANGELIST_QUERIES):
        response = editor_client.get(CHANGELIST_URL)

    assert response.status_code == 200
    assert response.context["cl"].result_count == count
    assert len(response.context["cl"].result_list) == min(count, 50)
