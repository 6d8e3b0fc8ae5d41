#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# check-completion.sh PROGRAM COMPLETION
#
# Runs the bash completion as bash would and fails when what it offers
# after "--" differs from the long options of PROGRAM --help (a new
# option must be added to it, a removed one taken out), or when it stops
# completing files, folders, bus names and libvirt guests where it should.
set -euo pipefail
program=${1:?PROGRAM} completion=${2:?COMPLETION}
failures=0

# offered WORD...: what the completion offers for the last word, sorted.
offered() {
  bash --norc --noprofile -c '
    . "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
    _virt_bootfix
    if [ "${#COMPREPLY[@]}" -gt 0 ]; then printf "%s\n" "${COMPREPLY[@]}"; fi
  ' check-completion "$completion" "$@" | sort
}

expect() { # WHAT GOT WANT
  if [ "$2" = "$3" ]; then
    echo "ok: $1"
  else
    echo "FAIL: $1"
    diff <(echo "$3") <(echo "$2") | sed -n 's/^[<>]/    &/p' |
      sed 's/^    </    missing:/; s/^    >/    extra:  /'
    failures=$((failures + 1))
  fi
}

help_options=$(LC_ALL=C "$program" --help |
               sed -nE 's/^ +(-[[:alnum:]], )?(--[[:alnum:]-]+).*/\2/p' | sort -u)
[ -n "$help_options" ] || { echo "FAIL: no options in $program --help"; exit 1; }
expect "the options after -- are those of --help ($(echo "$help_options" | wc -l))" \
  "$(offered virt-bootfix --)" "$help_options"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-completion-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/journals"
touch "$tmp/guest.xml" "$tmp/guest.img"
expect "--domain completes files" "$(offered virt-bootfix --domain "$tmp/g")" \
  "$(printf '%s\n' "$tmp/guest.img" "$tmp/guest.xml")"
expect "--domain-xml completes files" "$(offered virt-bootfix --domain-xml "$tmp/guest.x")" \
  "$tmp/guest.xml"
expect "--journal completes folders only" \
  "$(offered virt-bootfix -d x.xml --journal "$tmp/")" "$tmp/journals"
expect "--bus completes the buses" "$(offered virt-bootfix --bus s)" \
  "$(printf '%s\n' sata scsi)"
expect "--firmware completes bios and efi" "$(offered virt-bootfix --firmware '')" \
  "$(printf '%s\n' bios efi)"
expect "-a DISK: files" "$(offered virt-bootfix -a "$tmp/guest.i")" "$tmp/guest.img"

# -d offers libvirt's guests too: a virsh of our own that lists two,
# and must be asked on the -c URI of the line.
mkdir "$tmp/bin"
cat > "$tmp/bin/virsh" <<'EOF'
#!/bin/sh
[ "$*" = "-q -r -c test:///default list --all --name" ] && printf 'win7\nwin10\n'
EOF
chmod +x "$tmp/bin/virsh"
expect "-d offers the guests of -c URI" \
  "$(PATH=$tmp/bin:$PATH offered virt-bootfix -c test:///default -d win)" \
  "$(printf '%s\n' win10 win7)"

[ "$failures" -eq 0 ] || { echo "$failures failed"; exit 1; }
