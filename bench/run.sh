#!/usr/bin/env bash
# Runs the cross-process benchmark harness for one anchor workload and prints the anchors' lines on stdout:
#   bash bench/run.sh W3                 every system registered for W3
#   bash bench/run.sh W3 <system>        only that one (e.g. interprocess_shm_spin_flags)
# Builds bench/Interprocess.Bench (Release) first when any input changed since the last build; build output
# goes to stderr. Honours the anchors' knobs: ANCHOR_REPS, ANCHOR_QUICK, ANCHOR_SCALE_PCT, ANCHOR_RT_PER_REP.
# BENCH_REBUILD=1 forces the build. See bench/README.md.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
PROJECT="$HERE/Interprocess.Bench/Interprocess.Bench.csproj"
OUT="$HERE/Interprocess.Bench/bin/Release/net10.0"
EXE="$OUT/Interprocess.Bench"
STAMP="$OUT/.run-sh-built"   # written after a successful build, with the time the build started

if [ $# -lt 1 ]; then
    echo "usage: bash bench/run.sh <workload> [system]   (e.g. W3)" >&2
    exit 2
fi

needs_build() {
    [ "${BENCH_REBUILD:-0}" = 1 ] && return 0
    [ -x "$EXE" ] && [ -f "$STAMP" ] || return 0
    # Any source, project or build setting newer than the last build. Folders are included, so that a deleted
    # or renamed file (which changes its folder's mtime) also triggers a build.
    local newer
    newer=$(find "$ROOT/src" "$HERE/Interprocess.Bench" \( -name bin -o -name obj \) -prune -o -newer "$STAMP" -print -quit 2>/dev/null)
    [ -n "$newer" ] && return 0
    for f in "$ROOT"/Directory.Build.props "$ROOT"/Directory.Build.targets "$ROOT"/Directory.Packages.props \
             "$ROOT"/global.json "$ROOT"/.editorconfig "$ROOT"/NuGet.config; do
        [ -e "$f" ] && [ "$f" -nt "$STAMP" ] && return 0
    done
    return 1
}

if needs_build; then
    mkdir -p "$OUT"
    started=$(mktemp "$OUT/.run-sh-started.XXXXXX")
    log=$(mktemp)
    echo "== bench/run.sh: building Interprocess.Bench (Release)" >&2
    if ! dotnet build "$PROJECT" -c Release -nologo -v quiet >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$started" "$log"
        echo "bench/run.sh: build failed" >&2
        exit 1
    fi
    rm -f "$log"
    mv -f "$started" "$STAMP"
fi

exec "$EXE" "$@"
