# Two commands from a fresh clone:  make book  and  make test.
# Both create the virtual environment .venv from requirements.txt when it is missing
# (or when requirements.txt / pyproject.toml changed since it was made).

PYTHON ?= python3
NPM    ?= npm
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# The pages serve MathJax, RequireJS and the Jupyter widgets HTML manager themselves, so
# that formulas and widget snapshots show offline. npm installs the versions pinned in
# package-lock.json; they are copied into ASSETS, which _config.yml lists in
# html_static_path and points mathjax_path and nb_ipywidgets_js at. Without npm the book
# is built with CDN_CONFIG, a copy of _config.yml less those settings: the pages then load
# the three from their CDNs.
NODE_STAMP := node_modules/.installed
ASSETS     := _build/assets
CDN_CONFIG := _build/cdn/_config.yml
HAVE_NPM   := $(shell command -v $(NPM) 2>/dev/null)
# Sphinx copies static files only when it writes pages, and keeps the chapters' numbers in its
# saved environment when only _toc.yml changed: when either changed since the last build, it
# reads and writes every page afresh (--all; the execution cache still holds).
STATIC_CHANGED = $(shell test -f _build/html/.buildinfo && \
  find book/_static $(ASSETS)/.copied _toc.yml -newer _build/html/.buildinfo 2>/dev/null | head -n 1)
BUILD_ARGS = -W --keep-going $(if $(STATIC_CHANGED),--all)
# The execution cache keys a notebook by its code only: when lib/ changed since the last
# build, the cached outputs may be stale, so they are dropped and every chapter re-executed.
LIB_STAMP   := _build/.lib-stamp
LIB_CHANGED = $(shell test -f $(LIB_STAMP) && find lib -name '*.py' -newer $(LIB_STAMP) | head -n 1)
define FRESH_CACHE
	$(if $(LIB_CHANGED),rm -rf _build/.jupyter_cache)
	@mkdir -p _build && touch $(LIB_STAMP)
endef

.PHONY: book assets book-student slides test test-compat test-colab test-oldest lint bench clean distclean

ifneq ($(HAVE_NPM),)
book: $(STAMP) assets
	$(FRESH_CACHE)
	$(BIN)/jupyter-book build . $(BUILD_ARGS)
	@echo
	@echo "The book is built. Open this page in a browser:"
	@echo "    file://$(CURDIR)/_build/html/index.html"
else
book: $(STAMP)
	@echo "npm was not found: the pages will load MathJax, RequireJS and the widget manager"
	@echo "from their CDNs, so formulas and widgets show only when the reader is online."
	@echo "Install Node.js and npm (Debian: apt-get install npm) for a self-contained book."
	$(BIN)/python -c "$$CDN_CONFIG_PY"
	$(FRESH_CACHE)
	$(BIN)/jupyter-book build . --config $(CDN_CONFIG) $(BUILD_ARGS)
	@echo
	@echo "The book is built (formulas and widgets need a network connection). Open:"
	@echo "    file://$(CURDIR)/_build/html/index.html"
endif

assets: $(ASSETS)/.copied

$(NODE_STAMP): package.json package-lock.json
	$(NPM) ci --ignore-scripts --no-audit --no-fund
	@touch $@

$(ASSETS)/.copied: $(NODE_STAMP)
	rm -rf $(ASSETS)
	mkdir -p $(ASSETS)/requirejs $(ASSETS)/html-manager
	cp -R node_modules/mathjax/es5 $(ASSETS)/mathjax
	cp node_modules/mathjax/LICENSE $(ASSETS)/mathjax/
	cp node_modules/requirejs/require.js $(ASSETS)/requirejs/
	cp node_modules/@jupyter-widgets/html-manager/dist/embed-amd.js \
	   node_modules/@jupyter-widgets/html-manager/dist/*.woff2 \
	   node_modules/@jupyter-widgets/html-manager/dist/*.woff \
	   node_modules/@jupyter-widgets/html-manager/dist/*.ttf \
	   node_modules/@jupyter-widgets/html-manager/dist/*.eot \
	   node_modules/@jupyter-widgets/html-manager/dist/*.svg \
	   $(ASSETS)/html-manager/
	@touch $@

# _config.yml less its local-asset settings; local_extensions' paths made absolute,
# since Jupyter Book reads them relative to the configuration file.
define CDN_CONFIG_PY
import pathlib, yaml
config = yaml.safe_load(pathlib.Path("_config.yml").read_text(encoding="utf-8"))
sphinx = config["sphinx"]
sphinx["config"].pop("mathjax_path", None)
sphinx["config"].pop("nb_ipywidgets_js", None)
sphinx["config"]["html_static_path"] = [
    p for p in sphinx["config"].get("html_static_path", []) if p != "$(ASSETS)"
]
sphinx["local_extensions"] = {
    name: str(pathlib.Path(path).resolve())
    for name, path in sphinx.get("local_extensions", {}).items()
}
out = pathlib.Path("$(CDN_CONFIG)")
out.parent.mkdir(parents=True, exist_ok=True)
out.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
endef
export CDN_CONFIG_PY

# ---- make book-student, make slides: what an instructor hands out and projects --------------
# book-student  the book less the solutions of the exercises, into $(STUDENT)/_build/html:
#               sphinx-exercise's hide_solutions, with book/_ext/hide_gated_solutions.py to
#               leave out the text and code cells of gated solutions too. The chapters' outputs
#               come from the execution cache of `make book` (nothing is executed twice); every
#               page is read again (--all), since outputs can change with lib/ alone.
# slides        every chapter notebook of _toc.yml as a reveal.js deck in $(SLIDES)/, from the
#               notebooks `make book` executed (book/_slides/build_slides.py), with reveal.js,
#               MathJax, RequireJS and the widget manager copied beside the decks (npm).
STUDENT        := _build/student
STUDENT_CONFIG := $(STUDENT)/_config.yml
SLIDES         := _build/slides
BOOK_CONFIG     = $(if $(HAVE_NPM),_config.yml,$(CDN_CONFIG))

book-student: book
	$(BIN)/python -c "$$STUDENT_CONFIG_PY" $(BOOK_CONFIG) $(STUDENT_CONFIG)
	$(BIN)/jupyter-book build . --path-output $(STUDENT) --config $(STUDENT_CONFIG) \
	  -W --keep-going --all
	@echo
	@echo "The student edition (no solutions) is built. Open this page in a browser:"
	@echo "    file://$(CURDIR)/$(STUDENT)/_build/html/index.html"

slides: book
ifeq ($(HAVE_NPM),)
	@echo "make slides needs npm, to serve reveal.js, MathJax and the widget manager from the"
	@echo "decks themselves: install Node.js and npm (Debian: apt-get install npm)."
	@exit 1
endif
	$(BIN)/python book/_slides/build_slides.py --output $(SLIDES)
	@echo
	@echo "The slides are built. Open this page in a browser:"
	@echo "    file://$(CURDIR)/$(SLIDES)/index.html"

# The configuration of the book build, with hide_solutions on, the extension that leaves out
# gated solutions, the execution cache of `make book`, and local_extensions' paths absolute.
define STUDENT_CONFIG_PY
import pathlib, sys, yaml
source, out = (pathlib.Path(arg) for arg in sys.argv[1:3])
config = yaml.safe_load(source.read_text(encoding="utf-8"))
config.setdefault("execute", {})["cache"] = str(pathlib.Path("_build/.jupyter_cache").resolve())
sphinx = config.setdefault("sphinx", {})
sphinx.setdefault("config", {})["hide_solutions"] = True
extensions = {**(sphinx.get("local_extensions") or {}), "hide_gated_solutions": "book/_ext"}
sphinx["local_extensions"] = {
    name: str(pathlib.Path(path).resolve()) for name, path in extensions.items()
}
out.parent.mkdir(parents=True, exist_ok=True)
out.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
endef
export STUDENT_CONFIG_PY

test: $(STAMP)
	$(BIN)/python -m pytest -rs

# ---- make test-compat: the tests of lib and every chapter in two more environments ----------
# .venv-colab   Google Colab's versions of the libraries (.ci/colab-constraints.txt) on Python
#               3.12, Colab's Python: many readers run the chapters there.
# .venv-oldest  every declared floor (.ci/oldest-constraints.txt) on the lowest Python that
#               requires-python admits and the machine has: a declared floor is a promise.
# Each holds lib (editable) and the test tools, under its constraints, and nothing of the book's
# build; it is made afresh when its constraints, pyproject.toml or requirements.txt change.
# Not collected there: they import at module level packages that only .venv is sure to have:
#   tests/test_browser.py           builds the book and opens it in Chromium (playwright,
#                                   sphinx_external_toc from jupyter-book, yaml);
#   tests/test_notebooks_stored.py  checks how the chapters are stored, whatever the versions
#                                   (yaml, which neither lib nor the test tools require);
#   tests/test_slides.py,           build the slides and the student edition and open them in
#   tests/test_student_build.py     Chromium (as test_browser.py; nbconvert, bs4);
#   tests/test_glossary.py          builds a small Sphinx project with the book's {chapter} role
#                                   and reads the built glossary page (sphinx, bs4, yaml).
COMPAT_TOOLS  := pytest nbval ipykernel
COMPAT_IGNORE := --ignore=tests/test_browser.py --ignore=tests/test_notebooks_stored.py \
                 --ignore=tests/test_slides.py --ignore=tests/test_student_build.py \
                 --ignore=tests/test_glossary.py
# The interpreters: pythonX.Y where it runs, else pyenv's installed X.Y (pyenv's shims run only
# the versions chosen with `pyenv global` or `pyenv local`). Colab's is 3.12; the oldest is the
# lowest that requires-python admits and the machine has. Both fall back to $(PYTHON).
python_version = $(or $(shell python$(1) -c '' 2>/dev/null && command -v python$(1)),$(shell \
  PYENV_VERSION=$(1) pyenv which python$(1) 2>/dev/null))
PYTHONS       := 3.10 3.11 3.12 3.13
PYTHON_colab   = $(or $(call python_version,3.12),$(PYTHON))
PYTHON_oldest  = $(or $(firstword $(foreach v,$(PYTHONS),$(call python_version,$(v)))),$(PYTHON))
# The versions each environment prints once made.
COMPAT_REPORT := numpy|matplotlib|ipywidgets|scikit-learn|pooch|tqdm|threadpoolctl|joblib
COMPAT_REPORT := $(COMPAT_REPORT)|pytest|nbval|ipykernel|nbclient|jupyter.client

test-compat:
	@status=0; \
	$(MAKE) --no-print-directory test-colab || status=1; \
	$(MAKE) --no-print-directory test-oldest || status=1; \
	exit $$status

test-colab test-oldest: test-%: .venv-%/.installed
	@start=$$(date +%s); status=0; \
	.venv-$*/bin/python -m pytest -rs $(COMPAT_IGNORE) || status=$$?; \
	echo ".venv-$*: tests ran in $$(( $$(date +%s) - start )) s"; \
	exit $$status

.venv-%/.installed: .ci/%-constraints.txt pyproject.toml requirements.txt
	@python="$(PYTHON_$*)"; start=$$(date +%s); set -e; \
	echo "Creating .venv-$* with $$python under .ci/$*-constraints.txt"; \
	rm -rf .venv-$*; \
	"$$python" -m venv .venv-$*; \
	.venv-$*/bin/python -m pip install --quiet --upgrade pip; \
	.venv-$*/bin/python -m pip install --quiet -c .ci/$*-constraints.txt -e . $(COMPAT_TOOLS); \
	.venv-$*/bin/python --version; \
	.venv-$*/bin/python -m pip list --format=freeze | { grep -iE '^($(COMPAT_REPORT))==' || true; }; \
	echo ".venv-$*: created in $$(( $$(date +%s) - start )) s"
	@touch $@

bench: $(STAMP)
	@$(BIN)/python -m pip install --quiet -r benchmarks/requirements.txt || \
	  echo "PyTorch could not be installed: the benchmarks skip it."
	$(BIN)/python -m benchmarks.run

lint: $(STAMP)
	$(BIN)/ruff check .

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || \
	  { echo "Python 3.10 or newer is needed; set PYTHON=/path/to/python3"; exit 1; }
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
	rm -rf $(VENV) .venv-colab .venv-oldest node_modules
