"""What people do in the admin, in a few words, for the browser tests."""

from django.contrib.auth.models import Group, User

PASSWORD = "geheim-genug-123"


def staff_user(username: str, group: str) -> User:
    """A staff user in one of the groups the data migration made (Redaktion, Autoren)."""
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def log_in(page, username: str, password: str = PASSWORD) -> None:
    """Log in through the admin's login form and land on the admin's index."""
    page.goto("/admin/")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url("**/admin/")


def open_article_list(page) -> None:
    """From the admin's index to the article list, by the link in the app list."""
    page.locator("#content-main tr.model-article th a").click()
    page.wait_for_url("**/admin/articles/article/")


def save(page) -> None:
    """Click the form's first "Sichern" button and wait for the answer."""
    with page.expect_navigation():
        page.locator("input[name=_save]").first.click()


def messages(page) -> list[str]:
    return page.locator("ul.messagelist li").all_inner_texts()


def errors(page) -> list[str]:
    return page.locator(".errornote, ul.errorlist li").all_inner_texts()
