# The README's two commands: `make run` (demo on SQLite) and `make test` (the whole suite).
PY := .venv/bin/python
CELERY := $(PY) -m celery -A wuxisafety
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint check browser pdf-deps venv

venv: .venv/.installed

# psycopg2 is built from source (requirements.txt): it needs the C compiler this Python builds
# with, its headers (Python.h) and libpq's (pg_config). Checked in the venv's own interpreter, so
# pyenv's Python (headers included) passes as well as Debian's with python3-dev.
BUILD_PACKAGES := gcc python3-dev libpq-dev
BUILD_READY = $(PY) -c "import os, shutil, sysconfig; \
	cc = (os.environ.get('CC') or sysconfig.get_config_var('CC') or 'cc').split()[0]; \
	headers = os.path.join(sysconfig.get_paths()['include'], 'Python.h'); \
	raise SystemExit(not (shutil.which('pg_config') and shutil.which(cc) and os.path.isfile(headers)))"

.venv/.installed: requirements.txt
	$(call need_packages,test -x $(PY) || python3 -c 'import ensurepip' 2>/dev/null,python3-venv,创建 .venv 需要)
	test -x $(PY) || python3 -m venv .venv
	$(call need_packages,$(BUILD_READY),$(BUILD_PACKAGES),编译 psycopg2 需要)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

# With a Celery worker and beat on the embedded broker (files in var/broker): the reminders run
# every day at 08:30, and once now. The terminal stays readable: no Celery banners (--quiet) nor
# its warning about running as root, one line per batch of e-mails, how many and to whom
# (wuxisafety.mail, nothing is sent), runserver without its checks and production warning. The
# demo's own e-mails (seed_demo, send_reminders) go out in-process (eager), so they come first;
# the accounts and the address come last, printed once runserver answers (its banner is printed
# as it starts listening, so a second later the block is below it). Unbuffered, so a copy of the
# output (| tee) keeps that order. Ctrl-C stops runserver, the worker and beat together.
CELERY_QUIET = $(PY) -W "ignore:You're running the worker with superuser privileges" \
	-m celery -A wuxisafety --quiet
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: export EMAIL_BACKEND ?= wuxisafety.mail.SummaryEmailBackend
run: export PYTHONUNBUFFERED = 1
run: export DJANGO_RUNSERVER_HIDE_WARNING = true
run: venv pdf-deps
	@$(PY) -c "import socket; socket.create_server(('$(HOST)', $(PORT)))" 2>/dev/null || { \
		echo "端口 $(PORT) 已被占用：先停止占用它的程序，或换一个端口，例如 make run PORT=8001"; exit 1; }
	@mkdir -p var  # the SQLite file's folder; the broker, uploads and cache make their own
	@$(PY) manage.py migrate --noinput -v0
	@CELERY_TASK_ALWAYS_EAGER=1 $(PY) manage.py seed_demo --no-accounts
	@CELERY_TASK_ALWAYS_EAGER=1 $(PY) manage.py send_reminders
	@accounts=$$($(PY) manage.py demo_accounts) || exit 1; \
	$(CELERY_QUIET) worker --pool=solo -l warning & worker=$$!; \
	$(CELERY_QUIET) beat -l warning & beat=$$!; \
	$(PY) manage.py runserver --skip-checks $(HOST):$(PORT) & server=$$!; \
	trap 'kill $$worker $$beat $$server 2>/dev/null; wait' EXIT; trap 'exit 0' INT TERM; \
	until $(PY) -c "import socket; socket.create_connection(('$(HOST)', $(PORT)), 1)" 2>/dev/null; do \
		kill -0 $$server 2>/dev/null || exit 1; sleep 0.3; \
	done; \
	sleep 1; \
	printf '%s\n打开 http://$(HOST):$(PORT)/ 用上面的演示账号登录（Ctrl-C 停止）\n' "$$accounts"; \
	wait $$server

# The suite on SQLite, then again on PostgreSQL when DATABASE_URL is set (CI sets it). With
# PostgreSQL the browser journeys run once, in its pass, on the production-like stack (gunicorn,
# a Celery worker on Redis); without it they run on SQLite with the live server. All but the
# journeys run on TEST_WORKERS processes (pytest-xdist, a test database each); the journeys start
# their own servers and run on one.
TEST_WORKERS ?= 2
PYTEST_PARALLEL := $(PY) -m pytest -q -n $(TEST_WORKERS) --ignore=tests/e2e
test: venv browser
	@if [ -n "$$DATABASE_URL" ]; then \
		DATABASE_URL= $(PYTEST_PARALLEL) && \
		echo "== again on PostgreSQL ($$DATABASE_URL), with the browser journeys ==" && \
		$(PYTEST_PARALLEL) && \
		$(PY) -m pytest -q tests/e2e; \
	else \
		$(PYTEST_PARALLEL) && \
		$(PY) -m pytest -q tests/e2e; \
	fi

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

check: venv
	mkdir -p var
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

# PDFs (WeasyPrint) need Pango and CJK fonts, or Chinese prints as boxes; browser journeys
# also need Debian's chromium. Installed when missing (as root), else we say what to install.
PDF_PACKAGES := fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
# $(call need_packages,test,packages[,why]): the packages when the test fails.
define need_packages
	@if ! { $(1); }; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "安装所需的系统软件包$(if $(3),（$(3)）)：$(2)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; \
		else \
			echo "请先安装$(if $(3),（$(3)）)：sudo apt-get install $(2)"; exit 1; \
		fi; \
	fi
endef

pdf-deps:
	$(call need_packages,fc-list :lang=zh 2>/dev/null | grep -q . && ldconfig -p | grep -q libpangoft2,$(PDF_PACKAGES))

browser: pdf-deps
	$(call need_packages,test -x /usr/bin/chromium,chromium)
