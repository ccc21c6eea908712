"""`manage.py check --deploy` with the settings production runs: nothing to report (issue 5)."""

from .support import manage, production_env


def test_deploy_check_reports_nothing_in_production():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNING" not in output and "(security." not in output, output


def test_deploy_check_does_complain_about_debug():
    """The check above has teeth: the same run with debug on fails on the warning."""
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(DJANGO_DEBUG="1"))
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "security.W018" in output  # DEBUG must not be True in deployment
