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
# Sphinx copies static files only when it writes pages: when they changed since the last
# build, it is told to write every page (--all; the execution cache still holds).
STATIC_CHANGED = $(shell test -f _build/html/.buildinfo && \
  find book/_static $(ASSETS)/.copied -newer _build/html/.buildinfo 2>/dev/null | head -n 1)
BUILD_ARGS = -W --keep-going $(if $(STATIC_CHANGED),--all)
# The execution cache keys a notebook by its code only: when lib/ changed since the last
# build, the cached outputs may be stale, so they are dropped and every chapter re-executed.
LIB_STAMP   := _build/.lib-stamp
LIB_CHANGED = $(shell test -f $(LIB_STAMP) && find lib -name '*.py' -newer $(LIB_STAMP) | head -n 1)
define FRESH_CACHE
	$(if $(LIB_CHANGED),rm -rf _build/.jupyter_cache)
	@mkdir -p _build && touch $(LIB_STAMP)
endef

.PHONY: book assets test lint bench clean distclean

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

test: $(STAMP)
	$(BIN)/python -m pytest -rs

bench: $(STAMP)
	@$(BIN)/python -m pip install --quiet -r benchmarks/requirements.txt || \
	  echo "PyTorch could not be installed: the benchmarks skip it."
	$(BIN)/python -m benchmarks.run

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
