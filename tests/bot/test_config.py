"""Start-up settings: a missing variable is named in one line."""
import subprocess
import sys

import pytest

from bot.core.config import ConfigError, load_settings

BASE = {
    "WEBEX_BOT_TOKEN": "bot-token",
    "WEBEX_WEBHOOK_SECRET": "s3cret",
    "WEBEX_SERVICE_APP_TOKEN": "svc",
}


def test_minimal_settings_and_defaults():
    settings = load_settings(BASE)
    assert settings.api_url == "https://webexapis.com/v1"
    assert settings.default_region == "US"
    assert settings.validate_batch == 100
    assert settings.org_id is None
    assert settings.worker_nice == 3
    assert load_settings({**BASE, "NUMBOT_WORKER_NICE": "0"}).worker_nice == 0  # off


@pytest.mark.parametrize("missing", ["WEBEX_BOT_TOKEN", "WEBEX_WEBHOOK_SECRET", "WEBEX_SERVICE_APP_TOKEN"])
def test_missing_required_setting_is_named(missing):
    env = {k: v for k, v in BASE.items() if k != missing}
    with pytest.raises(ConfigError, match=missing):
        load_settings(env)


def test_refresh_grant_settings_replace_the_ready_token():
    env = {k: v for k, v in BASE.items() if k != "WEBEX_SERVICE_APP_TOKEN"}
    env.update(WEBEX_SERVICE_APP_CLIENT_ID="id", WEBEX_SERVICE_APP_CLIENT_SECRET="secret")
    with pytest.raises(ConfigError, match="WEBEX_SERVICE_APP_REFRESH_TOKEN"):
        load_settings(env)
    env["WEBEX_SERVICE_APP_REFRESH_TOKEN"] = "refresh"
    assert load_settings(env).service_app.can_refresh


def test_insecure_flag_allows_no_secret():
    env = {k: v for k, v in BASE.items() if k != "WEBEX_WEBHOOK_SECRET"}
    env["NUMBOT_INSECURE_NO_SIGNATURE"] = "true"
    assert load_settings(env).webhook_secret is None


@pytest.mark.parametrize(
    "name,value",
    [("NUMBOT_VALIDATE_BATCH", "0"), ("NUMBOT_VALIDATE_BATCH", "ten"), ("NUMBOT_DEFAULT_REGION", "XX"), ("NUMBOT_REQUIRE_ADMIN", "maybe"),
     ("NUMBOT_WORKER_NICE", "20"), ("NUMBOT_WORKER_NICE", "-5"), ("NUMBOT_METRICS", "sometimes"),
     ("NUMBOT_ALLOW_CHANGES", "please"), ("NUMBOT_CONFIRM_SECONDS", "5")],
)
def test_bad_values_are_explained(name, value):
    with pytest.raises(ConfigError, match=name):
        load_settings({**BASE, name: value})


def test_secrets_are_not_in_the_settings_repr():
    settings = load_settings({**BASE, "WEBEX_BOT_TOKEN": "TOPSECRET1", "WEBEX_WEBHOOK_SECRET": "TOPSECRET2",
                              "NUMBOT_METRICS_TOKEN": "TOPSECRET3"})
    assert "TOPSECRET" not in repr(settings)


def test_changes_and_metrics_settings():
    settings = load_settings(BASE)
    assert (settings.allow_changes, settings.confirm_seconds, settings.metrics, settings.metrics_token) == (
        False, 600, True, None)
    settings = load_settings({**BASE, "NUMBOT_ALLOW_CHANGES": "true", "NUMBOT_CONFIRM_SECONDS": "120",
                              "NUMBOT_METRICS": "off", "NUMBOT_METRICS_TOKEN": "t"})
    assert (settings.allow_changes, settings.confirm_seconds, settings.metrics, settings.metrics_token) == (
        True, 120, False, "t")


def test_gunicorn_entry_point_stops_with_one_line(tmp_path):
    """``create_app()`` without settings prints one line naming the variable and exits with 4,
    gunicorn's APP_LOAD_ERROR, so that gunicorn stops instead of booting workers for ever."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", "from bot.web.app import create_app; create_app()"],
        cwd=tmp_path, env={**env, "PYTHONPATH": str(__import__('pathlib').Path(__file__).resolve().parents[2])},
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 4
    assert result.stderr.strip().splitlines()[-1] == (
        "numbot: missing required setting WEBEX_BOT_TOKEN (see README, 'Configuration')"
    )
    assert "Traceback" not in result.stderr


def test_the_gunicorn_entry_point_freezes_what_it_built_out_of_the_collectors_way(tmp_path):
    """One app for the process's life: a full collection no longer walks the modules and the app
    (bot.runtime.settle_memory). An app built with settings (the tests) leaves the collector alone."""
    code = (
        "import gc, os\n"
        "from bot.web.app import create_app\n"
        "from bot.core.config import load_settings\n"
        "create_app(load_settings(os.environ), start_workers=False)\n"
        "print(gc.get_freeze_count())\n"
        "create_app()\n"
        "print(gc.get_freeze_count())\n"
    )
    env = {**BASE, "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "NUMBOT_EMBEDDED_WORKERS": "false",
           "NUMBOT_STORE_URL": f"sqlite:///{tmp_path / 'numbot.db'}",
           "PYTHONPATH": str(__import__('pathlib').Path(__file__).resolve().parents[2])}
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    with_settings, from_environment = map(int, result.stdout.split())
    assert with_settings == 0
    assert from_environment > 10_000
