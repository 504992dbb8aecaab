#!/bin/sh
# Makes the dessa(1) man page from the program's own help, so the page cannot drift from it:
#   sh man/help2man.sh path/to/dessa > dessa.1
# `dessa --help` gives the synopsis, the description, the exit status and the outputs; each
# command it lists (dessa help NAME) gives a section with its options. Run at build time.
set -eu
dessa=$1
version=$("$dessa" --version | sed 's/^dessa //')
overview=$("$dessa" --help)
# The usage lines: "usage: dessa ..." and the lines under it indented to the same column.
usage=$(printf '%s\n' "$overview" | sed -n 's/^\(usage: \|       \)\(dessa .*\)$/\2/p')
commands=$(printf '%s\n' "$usage" | sed -n 's/^dessa \([a-z][a-z]*\) .*/\1/p' | grep -v '^help$')

# Roff for a help text on stdin: paragraphs, and option lines ("  -o, --out DIR   text", with
# continuation lines indented further) as tagged paragraphs.
body() {
    awk '
    function esc(s) {
        gsub(/\\/, "\\e", s)
        gsub(/-/, "\\-", s)
        if (s ~ /^[.\047]/) s = "\\&" s
        return s
    }
    BEGIN { blank = 1 }
    /^usage:/ || /^Exit status:/ { next }
    /^$/ { if (!blank) print ".PP"; blank = 1; intp = 0; next }
    /^  -/ {
        blank = 0; intp = 1
        line = substr($0, 3)
        split(line, parts, /   +/)
        tag = parts[1]
        rest = substr(line, length(tag) + 1)
        sub(/^ +/, "", rest)
        print ".TP"
        print "\\fB" esc(tag) "\\fR"
        print esc(rest)
        next
    }
    /^                    / { blank = 0; s = $0; sub(/^ +/, "", s); print esc(s); next }
    /^[a-z][a-z ]*:$/ {
        if (!blank) print ".PP"
        blank = 0; intp = 0
        print "\\fB" esc($0) "\\fR"
        next
    }
    { if (intp) print ".PP"; blank = 0; intp = 0; print esc($0) }
    '
}

cat <<EOF
.\" Generated from the help of dessa $version by man/help2man.sh: do not edit.
.TH DESSA 1 "" "dessa $version" "User Commands"
.SH NAME
dessa \- discrete-event simulator of service architectures described in Lua
.SH SYNOPSIS
.nf
EOF
printf '%s\n' "$usage" | sed 's/  .*$//; s/\\/\\e/g; s/-/\\-/g; s/^/.B /'
cat <<EOF
.fi
.SH DESCRIPTION
EOF
# The paragraph after the usage lines.
printf '%s\n' "$overview" | awk 'f == 1 && /^$/ { exit } f == 1 { print } /^$/ && !f { f = 1 }' |
    sed 's/\\/\\e/g; s/-/\\-/g'
echo ".SH COMMANDS"
for c in $commands; do
    synopsis=$("$dessa" help "$c" | sed -n 's/^usage: //p' | head -1 | sed 's/-/\\-/g')
    echo ".SS \"$synopsis\""
    "$dessa" help "$c" | body
done
echo ".SH EXIT STATUS"
printf '%s\n' "$overview" | sed -n 's/^Exit status: //p'
echo ".SH FILES"
printf '%s\n' "$overview" | sed -n 's/^Outputs: //p' | sed 's/-/\\-/g'
cat <<EOF
.SH SEE ALSO
The documentation in the source tree: docs/guide.md (a first model), docs/lua-api.md (the
scenario language), docs/outputs.md (every output column), docs/cli.md (the command line).
EOF
