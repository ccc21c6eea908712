from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

# For the demo site only: a login that anyone who runs `make run` may read.
DEMO_USERNAME = "redaktion"
DEMO_PASSWORD = "newsroom-demo"


class Command(BaseCommand):
    help = "Create or reset the demo editor account and print its login."

    def handle(self, *args, **options):
        user, _ = get_user_model().objects.get_or_create(username=DEMO_USERNAME)
        user.is_staff = True
        user.is_superuser = True
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        self.stdout.write(f"Editor login: {DEMO_USERNAME} / {DEMO_PASSWORD}")
