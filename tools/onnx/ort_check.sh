#!/usr/bin/env bash
# Runs tools/onnx/ort_check.py with pinned numpy, onnx and onnxruntime from PyPI,
# installed on first use into a venv (default target/ort-venv; set DFQ_ORT_VENV
# to move it). Later runs only compare a stamp file, so they start at once.
#
#   tools/onnx/ort_check.sh --setup                   # prepare the venv, nothing else
#   tools/onnx/ort_check.sh MODEL.onnx -i X.npy -e Y.npy [--mode auto|qdq|fp32]
#
# Exit status: the checker's (0 agree, 1 disagree, 2 usage), or 3 when Python,
# venv/pip or PyPI is unavailable, which callers may treat as "cannot check".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
venv=${DFQ_ORT_VENV:-$root/target/ort-venv}
requirements=(numpy==2.4.6 onnx==1.23.2 onnxruntime==1.31.1)
stamp=$venv/.dfq-requirements

unavailable() {
    echo "ort_check: $*" >&2
    exit 3
}

ready() {
    [[ -x $venv/bin/python && -f $stamp && "$(cat "$stamp")" == "${requirements[*]}" ]]
}

setup() {
    command -v python3 >/dev/null || unavailable "python3 is not on PATH"
    mkdir -p "$(dirname "$venv")"
    # Tests run in parallel: one process installs, the others wait for it.
    if command -v flock >/dev/null; then
        exec 9>"$venv.lock"
        flock 9
    fi
    ready && return 0
    rm -rf "$venv"
    local started=$SECONDS
    echo "ort_check: installing ${requirements[*]} into $venv ..." >&2
    if python3 -m venv "$venv" 2>/dev/null && "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${requirements[@]}" >&2 ||
            unavailable "pip could not install ${requirements[*]} (is PyPI reachable?)"
    else
        # No venv module (Debian without python3-venv): install next to the
        # system's packages with pip --target, and make bin/python use them.
        rm -rf "$venv"
        python3 -m pip --version >/dev/null 2>&1 ||
            unavailable "python3 has neither the venv module with pip nor pip (Debian: apt-get install python3-venv)"
        python3 -m pip install --quiet --disable-pip-version-check --target "$venv/site" "${requirements[@]}" >&2 ||
            unavailable "pip could not install ${requirements[*]} (is PyPI reachable?)"
        mkdir -p "$venv/bin"
        printf '#!/bin/sh\nPYTHONPATH="%s/site" exec python3 "$@"\n' "$venv" >"$venv/bin/python"
        chmod +x "$venv/bin/python"
    fi
    "$venv/bin/python" -c "import numpy, onnx, onnxruntime" ||
        unavailable "the installed packages do not import"
    echo "${requirements[*]}" >"$stamp"
    echo "ort_check: ready in $((SECONDS - started)) s" >&2
}

ready || setup
if [[ ${1:-} == --setup ]]; then
    exit 0
fi
exec "$venv/bin/python" "$here/ort_check.py" "$@"
