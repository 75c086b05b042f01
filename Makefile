# Two commands from a fresh clone:  make book  and  make test.
# Both create the virtual environment .venv from requirements.txt when it is missing
# (or when requirements.txt / pyproject.toml changed since it was made).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: book test lint clean distclean

book: $(STAMP)
	$(BIN)/jupyter-book build . -W --keep-going
	@echo
	@echo "The book is built. Open this page in a browser:"
	@echo "    file://$(CURDIR)/_build/html/index.html"

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 9))' || \
	  { echo "Python 3.9 or newer is needed; set PYTHON=/path/to/python3"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || \
	  { rm -rf $(VENV); echo; \
	    echo "Could not create a virtual environment with '$(PYTHON) -m venv'."; \
	    echo "On Debian or Ubuntu install it first:  sudo apt-get install python3-venv"; \
	    exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $@

clean:
	rm -rf _build

distclean: clean
	rm -rf $(VENV) node_modules
