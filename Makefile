# The README's two commands: `make run` (demo on SQLite) and `make test` (the whole suite).
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint check browser venv

venv: .venv/.installed

.venv/.installed: requirements.txt
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

run: venv
	mkdir -p var/broker/processed var/private
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py seed_demo
	@echo "打开 http://$(HOST):$(PORT)/ 用上面的演示账号登录（Ctrl-C 停止）"
	$(PY) manage.py runserver $(HOST):$(PORT)

# The suite on SQLite, then again on PostgreSQL when DATABASE_URL is set (CI sets it).
test: venv browser
	DATABASE_URL= $(PY) -m pytest -q
	@if [ -n "$$DATABASE_URL" ]; then \
		echo "== again on PostgreSQL ($$DATABASE_URL) =="; \
		$(PY) -m pytest -q; \
	fi

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

check: venv
	mkdir -p var
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

# Browser journeys need Debian's chromium and CJK fonts (or pages render as boxes).
browser:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list :lang=zh 2>/dev/null | grep -q .; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "安装浏览器测试所需的 chromium 和中文字体…"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
		else \
			echo "浏览器测试需要 chromium 和 fonts-noto-cjk：sudo apt-get install chromium fonts-noto-cjk"; exit 1; \
		fi; \
	fi
