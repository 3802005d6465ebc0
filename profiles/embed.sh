#!/bin/sh
# Turn a JSON profile into a C header holding its bytes as an array, so the
# library reads no file for its built-in profile.
# usage: embed.sh PROFILE.json ARRAY_NAME > HEADER.h
set -eu
src=$1
name=$2
printf '/* Generated from %s by profiles/embed.sh: do not edit. */\n' "$(basename "$src")"
printf 'static const char %s[] = {\n' "$name"
od -An -v -tx1 "$src" | sed -e 's/  */ /g' -e 's/^ //' -e '/^$/d' -e 's/\([0-9a-f][0-9a-f]\)/0x\1,/g' -e 's/^/\t/'
printf '};\n'
