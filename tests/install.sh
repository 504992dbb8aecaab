#!/usr/bin/env bash
# Installation: `cmake --install` (what `make install` runs) into a temporary DESTDIR puts the
# program, the man page made from its help, and the bash completion in place; the page renders
# and says what --help says; the completion completes commands, options, scenarios and params.
. "$2/tests/lib/common.sh" "$@"
build=$(cd "$(dirname "$dessa")" && pwd)
if [ ! -f "$build/cmake_install.cmake" ]; then
    echo "SKIP: $build is not a CMake build tree"
    exit 0
fi
dest=$tmp/dest
DESTDIR=$dest cmake --install "$build" --prefix /usr/local >"$tmp/install.log" 2>&1
st=$?; check "cmake --install with DESTDIR: $(tail -2 "$tmp/install.log")" $st
# make install passes PREFIX and DESTDIR on to cmake --install.
make -n -C "$root" install BUILD="$build" PREFIX=/opt/dessa DESTDIR=/tmp/stage 2>/dev/null |
    grep -qx "DESTDIR=\"/tmp/stage\" cmake --install $build --prefix \"/opt/dessa\""
check "make install hands PREFIX and DESTDIR to cmake --install" $?
make -n -C "$root" install BUILD="$build" 2>/dev/null | grep -q -- '--prefix "/usr/local"'
check "make install: PREFIX defaults to /usr/local" $?
bin=$dest/usr/local/bin/dessa
page=$dest/usr/local/share/man/man1/dessa.1
comp=$dest/usr/local/share/bash-completion/completions/dessa
[ -x "$bin" ]; check "program installed in DESTDIR/usr/local/bin" $?
[ -s "$page" ]; check "man page installed in DESTDIR/usr/local/share/man/man1" $?
[ -s "$comp" ]; check "completion installed in DESTDIR/usr/local/share/bash-completion/completions" $?
! find "$dest" -path "$dest/usr/local" -prune -o -type f -print | grep -q .
check "nothing installed outside the prefix" $?
"$bin" --version | grep -q "^dessa "; check "installed program runs" $?
"$bin" run scenarios/mm1.lua -q -o "$tmp/r"; check "installed program runs a scenario (prelude embedded)" $?

# The page is made from the help: every option of `dessa help run` is in it.
for opt in $("$dessa" help run | sed -n 's/^  \(-[a-z], \)\{0,1\}\(--[a-z]*\).*/\2/p'); do
    grep -q -- "$(printf '%s' "$opt" | sed 's/-/\\\\-/g')" "$page"; check "man page has $opt" $?
done
grep -q '^\.TH DESSA 1 .*dessa [0-9]' "$page"; check "man page header with the version" $?
if command -v groff >/dev/null; then
    groff -man -Tutf8 -ww -z "$page" 2>"$tmp/groff.err" && [ ! -s "$tmp/groff.err" ]
    st=$?; check "groff finds no problem in the page: $(head -2 "$tmp/groff.err")" $st
fi
if command -v man >/dev/null; then
    MANWIDTH=80 man -l "$page" 2>/dev/null | col -b > "$tmp/page.txt"
    grep -q "^SYNOPSIS" "$tmp/page.txt" && grep -q "dessa run SCENARIO.lua" "$tmp/page.txt" &&
        grep -q -- "--force" "$tmp/page.txt" && grep -q "^EXIT STATUS" "$tmp/page.txt"
    check "man -l renders the page" $?
else
    echo "SKIP man -l: no man"
fi

# The completion, sourced in a bash of its own.
cat > "$tmp/comp.sh" <<'EOF'
source "$1"
complete -p dessa
comp() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _dessa; echo "${COMPREPLY[*]}"; }
echo "commands: $(comp dessa "")"
echo "r: $(comp dessa r)"
echo "help: $(comp dessa help "")"
echo "--fo: $(comp dessa run x.lua --fo)"
echo "check --fo: $(comp dessa check x.lua --fo)"
echo "--progress=a: $(comp dessa run x.lua --progress=a)"
echo "--set: $(comp dessa run scenarios/mm1.lua --set "")"
echo "--set=r: $(comp dessa run scenarios/mm1.lua --set=r)"
echo "files: $(cd "$2" && comp dessa run "")"
echo "-o: $(cd "$2" && comp dessa run a.lua -o "")"
EOF
mkdir -p "$tmp/files/sub" && touch "$tmp/files/a.lua" "$tmp/files/notes.txt"
bash "$tmp/comp.sh" "$comp" "$tmp/files" > "$tmp/comp.out" 2>&1
st=$?; check "completion script sources: $(head -2 "$tmp/comp.out")" $st
got() { sed -n "s/^$1: //p" "$tmp/comp.out"; }
grep -q "^complete -F _dessa dessa$" "$tmp/comp.out"; check "complete -p dessa" $?
[ "$(got commands)" = "run sweep merge check plot report warmup help --help --version" ]; st=$?; check "commands: $(got commands)" $st
[ "$(got r)" = "run report" ]; st=$?; check "r -> run report: $(got r)" $st
[ "$(got help)" = "run sweep merge check plot report warmup" ]; st=$?; check "help -> commands: $(got help)" $st
[ "$(got --fo)" = "--force" ]; st=$?; check "run --fo -> --force: $(got --fo)" $st
[ "$(got "check --fo")" = "" ]; st=$?; check "check has no --force: $(got "check --fo")" $st
[ "$(got --progress=a)" = "auto always" ]; st=$?; check "--progress=a: $(got --progress=a)" $st
[ "$(got --set)" = "rate= service=" ]; st=$?; check "--set names from the scenario: $(got --set)" $st
[ "$(got --set=r)" = "rate=" ]; st=$?; check "--set=r: $(got --set=r)" $st
[ "$(got files)" = "a.lua sub" ]; st=$?; check "scenario files and directories: $(got files)" $st
[ "$(got -o)" = "sub" ]; st=$?; check "-o completes directories: $(got -o)" $st
finish 20
