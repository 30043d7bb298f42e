# The README's two commands: `make run` (demo on SQLite) and `make test` (the whole suite).
PY := .venv/bin/python
CELERY := $(PY) -m celery -A wuxisafety
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint check browser pdf-deps venv

venv: .venv/.installed

.venv/.installed: requirements.txt
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

# With a Celery worker and beat on the embedded broker (files in var/broker): the reminders run
# every day at 08:30, and once now; the worker prints their e-mails here (console backend).
# Both stop when runserver does.
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: venv pdf-deps
	mkdir -p var/broker/processed var/private
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py seed_demo
	@$(CELERY) worker --pool=solo -l warning & worker=$$!; \
	$(CELERY) beat -l warning & beat=$$!; \
	trap 'kill $$worker $$beat 2>/dev/null; wait $$worker $$beat 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py send_reminders; \
	echo "打开 http://$(HOST):$(PORT)/ 用上面的演示账号登录（Ctrl-C 停止）"; \
	$(PY) manage.py runserver $(HOST):$(PORT)

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
define need_packages
	@if ! $(1); then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "安装所需的系统软件包：$(2)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; \
		else \
			echo "请先安装：sudo apt-get install $(2)"; exit 1; \
		fi; \
	fi
endef

pdf-deps:
	$(call need_packages,fc-list :lang=zh 2>/dev/null | grep -q . && ldconfig -p | grep -q libpangoft2,$(PDF_PACKAGES))

browser: pdf-deps
	$(call need_packages,test -x /usr/bin/chromium,chromium)
