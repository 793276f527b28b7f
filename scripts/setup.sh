#!/usr/bin/env bash
# Prepare a machine to build and test symxai: TeX for PDF output, then a
# virtualenv with the package and its test extra.  Safe to run again.
#
# TeX set (Debian 12, --no-install-recommends, ~360 MB installed, ~70 s):
#   texlive-latex-base         amsmath, array, longtable, geometry, hyperref (+ fonts-lmodern)
#   texlive-latex-recommended  booktabs, xcolor
#   texlive-latex-extra        enumitem; it depends on texlive-pictures (pgf/tikz)
#   lmodern                    lmodern.sty and its Type 1 fonts (fonts-lmodern has only OpenType)
#   latexmk                    runs pdflatex as often as needed
#   poppler-utils              pdftotext (tests read PDFs back), pdftoppm/pdftocairo (LMS figures)
#   maxima                     STACK's CAS: the tests evaluate every exported teacher's answer in it
# Browser tests of `symxai serve` (tests/web/test_web_browser.py), installed when missing:
#   chromium, chromium-driver  headless Chromium driven by Selenium (the web and test extras)
# texlive-fonts-recommended (Times/Helvetica clones) is left out: nothing uses it.
set -euo pipefail

cd "$(dirname "$0")/.."

APT_PACKAGES=(
    latexmk
    texlive-latex-base
    texlive-latex-recommended
    texlive-latex-extra
    texlive-pictures
    lmodern
    poppler-utils
    maxima
)

if command -v pdflatex >/dev/null && command -v latexmk >/dev/null \
        && command -v pdftotext >/dev/null && kpsewhich lmodern.sty >/dev/null \
        && command -v maxima >/dev/null && kpsewhich standalone.cls >/dev/null; then
    echo "setup: TeX and Maxima already installed, skipping apt"
else
    if [ "$(id -u)" -eq 0 ]; then
        SUDO=()
    elif command -v sudo >/dev/null; then
        SUDO=(sudo)
    else
        echo "setup: need root or sudo to install ${APT_PACKAGES[*]}" >&2
        exit 1
    fi
    start=$SECONDS
    "${SUDO[@]}" apt-get update
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends "${APT_PACKAGES[@]}"
    echo "setup: TeX and Maxima installed in $((SECONDS - start))s"
fi

if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
    echo "setup: chromium and chromium-driver already installed"
else
    if [ "$(id -u)" -eq 0 ]; then SUDO=(); elif command -v sudo >/dev/null; then SUDO=(sudo); else
        echo "setup: need root or sudo to install chromium chromium-driver" >&2; exit 1; fi
    start=$SECONDS
    "${SUDO[@]}" apt-get update
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends chromium chromium-driver
    echo "setup: chromium installed in $((SECONDS - start))s"
fi

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
# the test extra includes shap and scikit-learn: tests/methods/test_shap_family.py compares the SHAP family with them
.venv/bin/pip install --quiet -e '.[test,web]'
# the xref extra (zennit/captum cross-check): torch 2.13.0 first, pinned, so that pip takes the CPU
# wheel this machine holds (an unpinned `torch` is a CUDA build of several GB), then zennit and captum
# without their dependencies (zennit would pull torchvision), then what they import at run time
.venv/bin/pip install --quiet torch==2.13.0
.venv/bin/pip install --quiet --no-deps zennit==0.5.1 captum==0.9.0
.venv/bin/pip install --quiet pillow matplotlib tqdm packaging
echo "setup: done ($(.venv/bin/python --version))"
