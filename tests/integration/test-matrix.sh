#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# End-to-end runs of virt-bootfix on the phony guests added for the
# support matrix (tests/phony: win2003x64, win81, win2019): each fixed on
# one controller its Windows has an inbox driver for, and refused on one
# it has none for.  tests/unit/test-matrix-plans.c plans every guest on
# every controller without an appliance; this test checks the same on
# real disks, through the whole tool.
#
#   fix     one virt-bootfix run with four --domain (exit 0):
#             win2003x64  pc,  ide                  nt5-piix-ide
#             win81       q35, sata                 nt62-ich9-ahci
#             win2019     pc,  scsi lsisas1068      nt62-lsisas1068
#             xp-cab      pc,  ide                  nt5-piix-ide, with
#                         intelide.sys and pciide.sys from sp3.cab
#           then every SYSTEM hive, before and after, is fetched in ONE
#           guestfish launch and checked value by value, in every
#           control set, and against the JSON report (hive-diff.py).
#   refuse  one run with three --domain (exit 3, images byte-identical):
#             win2003x64  q35, sata                 nt5-ich9-ahci-refuse
#             win81       pc,  virtio               windows-virtio-refuse
#             win2019     pc,  scsi lsilogic        nt62-lsi53c895a-refuse
#
# MATRIX_PART=fix|refuse|all (default all) picks the part.  Each guest
# costs an appliance launch: on 2 cores under TCG the fix run took 112 s,
# the check launch 29 s, the refusal run 117 s (4.5 min in all, so both
# parts are in the 'integration' suite).
#
# Environment (set by meson): VIRT_BOOTFIX, BUILD_GUESTS, MKHIVE,
# PHONY_DIR, HIVE_DIFF.  Exit 77 when no appliance can start.
set -euo pipefail

: "${VIRT_BOOTFIX:?}" "${BUILD_GUESTS:?}" "${PHONY_DIR:?}" "${HIVE_DIFF:?}"
part=${MATRIX_PART:-all}
case $part in
fix | refuse | all) ;;
*) echo "MATRIX_PART must be fix, refuse or all, not '$part'" >&2; exit 2 ;;
esac
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" matrix

readonly HDC='{4D36E96A-E325-11CE-BFC1-08002BE10318}'
readonly DISK='{4D36E967-E325-11CE-BFC1-08002BE10318}'

t0=$SECONDS
build_phony_guests

# fact NAME KEY: what libguestfs inspection says (tests/phony NAME.facts).
fact() { sed -n "s/^$2=//p" "$PHONY_DIR/$1.facts"; }

# prepare NAME COPY MACHINE BUS [SCSI-MODEL]: a private copy of a phony
# guest and its domain, its disk moved to BUS on MACHINE.
prepare() {
  local name=$1 copy=$2 machine=$3 bus=$4 model=${5:-} dev controller=''
  case $bus in
  ide) dev=hda ;;
  virtio) dev=vda ;;
  *) dev=sda ;;
  esac
  if [ -n "$model" ]; then
    controller="<controller type='scsi' index='0' model='$model'/>"
  fi
  cp --sparse=always "$PHONY_DIR/$name.img" "$work/$copy.img"
  sed -e "s|<name>[^<]*</name>|<name>$copy</name>|" \
      -e "s|$PHONY_DIR/$name.img|$work/$copy.img|" \
      -e "s|machine='[^']*'|machine='$machine'|" \
      -e "s|<target dev='hda' bus='ide'/>|<target dev='$dev' bus='$bus'/>|" \
      -e "s|</devices>|  $controller\n  </devices>|" \
      "$PHONY_DIR/$name.xml" > "$work/$copy.xml"
}

sum() { sha256sum "$1" | cut -d' ' -f1; }

# guest_json CASE NAME FILTER: jq FILTER on the report of guest NAME.
guest_json() {
  jq -r --arg n "$2" ".guests[] | select(.name == \$n) | $3" "$work/$1.json"
}

# The report's view of the guest matches its inspection facts.
check_os() { # CASE COPY NAME
  expect_eq "$2 os" "$(guest_json "$1" "$2" '.os | "\(.major).\(.minor) \(.arch) \(.osinfo)"')" \
    "$(fact "$3" major-version).$(fact "$3" minor-version) $(fact "$3" arch) $(fact "$3" osinfo)"
}

# ---- fix: one run, four guests ----

# GUEST COPY MACHINE BUS MODEL CONTROLLER RULE
readonly FIXES=(
  "win2003x64 win2003x64-ide pc-i440fx-7.2 ide - piix3-ide nt5-piix-ide"
  "win81 win81-sata pc-q35-7.2 sata - ich9-ahci nt62-ich9-ahci"
  "win2019 win2019-sas pc-i440fx-7.2 scsi lsisas1068 lsisas1068 nt62-lsisas1068"
  "xp-cab xp-cab-ide pc-i440fx-7.2 ide - piix3-ide nt5-piix-ide"
)
# xp-cab lacks intelide.sys and pciide.sys: they must come from the
# newest cabinet of its driver cache (tests/phony/make-driver-cache.py).
readonly CAB_FILES=(intelide.sys pciide.sys)

# What the fixed hives must hold, from the rules (data/rules) and the
# guests (tests/phony/build-guests.sh): COPY|KEY below every
# ControlSetNNN|VALUE|WANT.  WANT "-" means the key must be absent.
# Type/ErrorControl/Group/ImagePath are only filled in when missing: an
# existing value stays (intelide's ErrorControl 3, win2019's
# \SystemRoot\... ImagePath).
read -r -d '' WANT <<EOF || true
win2003x64-ide|Services\\atapi|Start|0
win2003x64-ide|Services\\atapi|Type|1
win2003x64-ide|Services\\atapi|ErrorControl|1
win2003x64-ide|Services\\atapi|Group|SCSI miniport
win2003x64-ide|Services\\atapi|ImagePath|system32\\DRIVERS\\atapi.sys
win2003x64-ide|Services\\intelide|Start|0
win2003x64-ide|Services\\intelide|Type|1
win2003x64-ide|Services\\intelide|ErrorControl|3
win2003x64-ide|Services\\intelide|Group|System Bus Extender
win2003x64-ide|Services\\intelide|ImagePath|system32\\DRIVERS\\intelide.sys
win2003x64-ide|Services\\pciide|Start|0
win2003x64-ide|Services\\pciide|Type|1
win2003x64-ide|Services\\pciide|ErrorControl|1
win2003x64-ide|Services\\pciide|Group|System Bus Extender
win2003x64-ide|Services\\pciide|ImagePath|system32\\DRIVERS\\pciide.sys
win2003x64-ide|Control\\CriticalDeviceDatabase\\pci#ven_8086&dev_7010|Service|intelide
win2003x64-ide|Control\\CriticalDeviceDatabase\\pci#ven_8086&dev_7010|ClassGUID|$HDC
win2003x64-ide|Control\\CriticalDeviceDatabase\\pci#ven_8086&dev_7111||-
win2003x64-ide|Control\\CriticalDeviceDatabase\\primary_ide_channel|Service|atapi
win2003x64-ide|Control\\CriticalDeviceDatabase\\primary_ide_channel|ClassGUID|$HDC
win2003x64-ide|Control\\CriticalDeviceDatabase\\secondary_ide_channel|Service|atapi
win2003x64-ide|Control\\CriticalDeviceDatabase\\secondary_ide_channel|ClassGUID|$HDC
win2003x64-ide|Control\\CriticalDeviceDatabase\\*pnp0600|Service|atapi
win2003x64-ide|Control\\CriticalDeviceDatabase\\*pnp0600|ClassGUID|$HDC
win2003x64-ide|Control\\CriticalDeviceDatabase\\pci#cc_0101|Service|pciide
win2003x64-ide|Control\\CriticalDeviceDatabase\\pci#cc_0101|ClassGUID|$HDC
win2003x64-ide|Control\\CriticalDeviceDatabase\\gendisk|Service|disk
win2003x64-ide|Control\\CriticalDeviceDatabase\\gendisk|ClassGUID|$DISK
win2003x64-ide|Services\\rhelscsi|Start|4
win2003x64-ide|Services\\sym_hi|Start|4
win81-sata|Services\\storahci|Start|0
win81-sata|Services\\storahci\\StartOverride||-
win81-sata|Services\\prl_strg|Start|4
win81-sata|Control\\Class\\$DISK|LowerFilters|EhStorClass
win81-sata|Control\\Class\\$DISK|UpperFilters|partmgr
win81-sata|Services\\pciide\\StartOverride|0|3
win81-sata|Services\\iaStorA|Start|0
win2019-sas|Services\\LSI_SAS|Start|0
win2019-sas|Services\\LSI_SAS\\StartOverride||-
win2019-sas|Services\\LSI_SAS|Type|1
win2019-sas|Services\\LSI_SAS|ErrorControl|1
win2019-sas|Services\\LSI_SAS|Group|SCSI miniport
win2019-sas|Services\\LSI_SAS|ImagePath|\\SystemRoot\\System32\\drivers\\lsi_sas.sys
win2019-sas|Services\\storahci\\StartOverride|0|3
win2019-sas|Services\\pvscsi|Start|0
xp-cab-ide|Services\\intelide|Start|0
xp-cab-ide|Services\\pciide|Start|0
xp-cab-ide|Control\\CriticalDeviceDatabase\\pci#ven_8086&dev_7010|Service|intelide
EOF

# The SYSTEM hive's path in the guest, in its own case.
system_hive() {
  echo "$(fact "$1" windows-systemroot)/$(grep -i '^system32\\config\\system$' \
    "$PHONY_DIR/$1.files" | tr '\134' /)"
}

# Fetch the SYSTEM hive of each original and each fixed copy: one launch.
fetch_hives() {
  local script="" args=() i=0 entry name copy rest img out
  local letters=abcdefghijklmnopqrstuvwxyz
  for entry in "${FIXES[@]}"; do
    read -r name copy rest <<<"$entry"
    for img in "$PHONY_DIR/$name.img" "$work/$copy.img"; do
      args+=(-a "$img")
      out=$work/$copy.after
      [ "$img" = "$work/$copy.img" ] || out=$work/$copy.before
      script+="mount-ro /dev/sd${letters:i:1}1 /
download $(system_hive "$name") $out
"
      if [ "$out" = "$work/xp-cab-ide.after" ]; then
        for f in "${CAB_FILES[@]}"; do
          script+="download $(fact "$name" windows-systemroot)/system32/drivers/$f $work/xp-cab-ide.$f
"
        done
      fi
      script+="umount /
"
      i=$((i + 1))
    done
  done
  printf 'run\n%s' "$script" | guestfish --ro --format=raw "${args[@]}"
}

# The control sets of a fetched hive (ControlSet001 ...).
control_sets() {
  hivexsh "$1" <<<'ls' | grep -i '^ControlSet[0-9]*$'
}

# check_value COPY CS KEY VALUE WANT
check_value() {
  local hive=$work/$1.after got
  if [ "$5" = - ]; then
    if hivexget "$hive" "$2\\$3" >/dev/null 2>&1; then
      fail "$1 $2\\$3 still exists"
    else
      pass "$1 $2\\$3 absent"
    fi
    return
  fi
  # REG_MULTI_SZ comes out one entry per line: join them with '|'.
  got=$(hivexget "$hive" "$2\\$3" "$4" 2>&1 | sed '/^$/d' | paste -sd'|') || true
  expect_eq "$1 $2\\$3\\$4" "$got" "$5"
}

check_fixed_hives() {
  local entry name copy machine bus model controller rule cs key value want
  for entry in "${FIXES[@]}"; do
    read -r name copy machine bus model controller rule <<<"$entry"
    if "$HIVE_DIFF" "$work/$copy.before" "$work/$copy.after" "$work/fix.json" \
      "$copy" > "$work/$copy.diff"; then
      pass "$copy: every hive change is in the report ($(tail -1 "$work/$copy.diff"))"
    else
      fail "$copy: hive changes and report differ"
      sed 's/^/    /' "$work/$copy.diff" || true
    fi
    for cs in $(control_sets "$work/$copy.after"); do
      while IFS='|' read -r c key value want; do
        [ "$c" = "$copy" ] && check_value "$copy" "$cs" "$key" "$value" "$want"
      done <<<"$WANT"
    done
  done
}

run_fixes() {
  local entry name copy machine bus model controller rule domains=()
  for entry in "${FIXES[@]}"; do
    read -r name copy machine bus model controller rule <<<"$entry"
    [ "$model" = - ] && model=
    prepare "$name" "$copy" "$machine" "$bus" "$model"
    domains+=(--domain "$work/$copy.xml")
  done
  bootfix fix 0 "${domains[@]}" || return 0
  for entry in "${FIXES[@]}"; do
    read -r name copy machine bus model controller rule <<<"$entry"
    expect_eq "$copy status" "$(guest_json fix "$copy" .status)" fixed
    expect_eq "$copy rule" "$(guest_json fix "$copy" .rule)" "$rule"
    expect_eq "$copy controller" "$(guest_json fix "$copy" .target.controller)" "$controller"
    check_os fix "$copy" "$name"
  done
  local t=$SECONDS
  fetch_hives
  echo "(one guestfish launch for ${#FIXES[@]} x 2 hives: $((SECONDS - t)) s)"
  check_fixed_hives
  for f in "${CAB_FILES[@]}"; do
    expect_eq "xp-cab-ide $f from sp3.cab" "$(tr -d '\r' < "$work/xp-cab-ide.$f" 2>/dev/null)" \
      "phony $f, XP SP3 (sp3.cab)"
  done
}

# ---- refuse: one run, three guests, nothing written ----

# GUEST COPY MACHINE BUS MODEL RULE
readonly REFUSALS=(
  "win2003x64 win2003x64-sata pc-q35-7.2 sata - nt5-ich9-ahci-refuse"
  "win81 win81-virtio pc-i440fx-7.2 virtio - windows-virtio-refuse"
  "win2019 win2019-lsi pc-i440fx-7.2 scsi lsilogic nt62-lsi53c895a-refuse"
)

run_refusals() {
  local entry name copy machine bus model rule domains=()
  declare -A before=()
  for entry in "${REFUSALS[@]}"; do
    read -r name copy machine bus model rule <<<"$entry"
    [ "$model" = - ] && model=
    prepare "$name" "$copy" "$machine" "$bus" "$model"
    before[$copy]=$(sum "$work/$copy.img")
    domains+=(--domain "$work/$copy.xml")
  done
  bootfix refuse 3 "${domains[@]}" || true
  [ -f "$work/refuse.json" ] || return 0
  for entry in "${REFUSALS[@]}"; do
    read -r name copy machine bus model rule <<<"$entry"
    expect_eq "$copy status" "$(guest_json refuse "$copy" .status)" refused
    expect_eq "$copy rule" "$(guest_json refuse "$copy" .rule)" "$rule"
    expect_eq "$copy actions" "$(guest_json refuse "$copy" '.actions | length')" 0
    check_os refuse "$copy" "$name"
    expect_eq "$copy image unchanged" "$(sum "$work/$copy.img")" "${before[$copy]}"
    expect_eq "$copy leaves no journal" \
      "$(find "$work" -maxdepth 1 -name "virt-bootfix-$copy-*.journal" | wc -l)" 0
  done
}

if [ "$part" != refuse ]; then
  run_fixes
fi
if [ "$part" != fix ]; then
  run_refusals
fi

echo "($((SECONDS - t0)) s)"
finish
