"""The two runtime modes come from the environment alone."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k3Jx9!fQ2wZr7Lp0vBn4Hs8Tq6Ym1Ce5Gd-Uo_Ai+Wl@Rj#Xk%Vb^Nc",
    "ALLOWED_HOSTS": "award.example.gov.cn",
    "DATABASE_URL": "postgres://award:secret@db:5432/award",
    "CELERY_BROKER_URL": "redis://redis:6379/0",
    "CACHE_URL": "rediscache://redis:6379/1",
    "MEDIA_ROOT": "/tmp/qa-media",
}


def _run(code, env):
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION and not k.startswith(("CELERY", "QA_"))}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**clean, **env}, capture_output=True,
                          text=True, timeout=120)


def test_check_deploy_is_clean_under_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k not in PRODUCTION}, **PRODUCTION},
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_mode_reads_the_environment():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='qualityaward.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.MEDIA_ROOT, s.DEBUG,"
        " s.TIME_ZONE, s.LANGUAGE_CODE, s.SESSION_COOKIE_SECURE)"
    )
    result = _run(code, PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "False", "/tmp/qa-media", "False",
                                     "Asia/Shanghai", "zh-hans", "True"]


def test_embedded_mode_needs_no_services():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='qualityaward.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND)"
    )
    result = _run(code, {})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True",
                                     "django.core.mail.backends.console.EmailBackend"]


def test_production_checks_refuse_a_per_process_cache():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k not in PRODUCTION}, **PRODUCTION,
             "CACHE_URL": "locmemcache://"},
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0 and "qualityaward.E001" in result.stderr and "CACHE_URL" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = _run("import django, os; os.environ['DJANGO_SETTINGS_MODULE']='qualityaward.settings'; django.setup()",
                  env)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr
