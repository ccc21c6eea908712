import pytest
from django.contrib.auth.models import Group
from django.db import connection


@pytest.mark.django_db
def test_a():
    print("A", hasattr(connection, "_test_serialized_contents"), Group.objects.count())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_b():
    print("B", hasattr(connection, "_test_serialized_contents"), Group.objects.count())
    Group.objects.all().delete()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_c():
    print("C", hasattr(connection, "_test_serialized_contents"), Group.objects.count())
