#!/usr/bin/env bash
# A prebuilt addon must run on any x86-64 CPU: AVX2/FMA and AVX-512 code may live only in the
# ISA-specific translation units (the x64 "isa_units" of native/sources.json: avx2, avx512),
# which the kernels reach only after the CPUID check. This script proves the first half on the
# built binary with objdump:
#
#  1. no baseline object file (build/Release/obj.target/myelin/..., the "kernels" and "binding"
#     sources) holds a single VEX/EVEX-encoded instruction;
#  2. in the unstripped addon (build/Release/myelin.node, which keeps its local symbols) every
#     function holding one is defined by a avx2 or avx512 unit object (ISA objects
#     below) and by no baseline object. The
#     second condition catches the classic hazard: an inline function or template (std::min, a
#     vector method, ...) instantiated in both kinds of file is emitted twice as a weak symbol,
#     and the linker may keep the AVX copy for every caller;
#  3. a stripped addon (prebuildify --strip) has no symbols left to map, so its count of VEX
#     instructions must equal that of the unstripped addon of the same build (same build id);
#     one from another build is skipped with a note.
#
# "VEX/EVEX-encoded" here: any v-prefixed mnemonic (vmovaps, vfmadd231ps, vbroadcastss,
# vzeroupper, ...) except the VMX/SVM system instructions, any ymm/zmm/mask register, the AVX-512
# mask instructions (kmovw, ...) and the VEX-encoded BMI1/BMI2 instructions (andn, shlx, ...).
#
# Usage: scripts/check-isa.sh [addon.node ...]
#   default: build/Release/myelin.node, and prebuilds/linux-x64/*.node when present.
# Needs a node-gyp build (npm run build:native) for the object files. Exit status 1 on a
# violation, 2 when something needed is missing.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
objdir=build/Release/obj.target
unstripped_default=build/Release/myelin.node

die() { echo "isa-check: $*" >&2; exit 2; }
command -v objdump >/dev/null && command -v nm >/dev/null || die "needs objdump and nm (binutils)"

if [ $# -gt 0 ]; then
  addons=("$@")
else
  addons=("$unstripped_default")
  for f in prebuilds/linux-x64/*.node; do [ -e "$f" ] && addons+=("$f"); done
fi

# Object files of the addon, from the one source list (stale objects of removed sources ignored).
mapfile -t baseline_objs < <(node -e '
  const s = require("./native/sources.json");
  for (const f of [...s.kernels, ...s.binding]) console.log(f.replace(/\.(cc|cpp|c)$/, ".o"));
' | sed "s|^|$objdir/myelin/|")
# ISA objects: the x64 units of "isa_units" (avx2, avx512), each built by the static library
# target myelin_<isa>.
mapfile -t avx2_objs < <(node -e '
  const s = require("./native/sources.json");
  for (const [isa, unit] of Object.entries(s.isa_units))
    if (unit.arch === "x64")
      for (const f of unit.sources) console.log("myelin_" + isa + "/" + f.replace(/\.(cc|cpp|c)$/, ".o"));
' | sed "s|^|$objdir/|")
for o in "${baseline_objs[@]}" "${avx2_objs[@]}"; do
  [ -f "$o" ] || die "missing object file $o: build the addon first (npm run build:native)"
done

# objdump -d output -> "symbol<TAB>instruction" for every VEX/EVEX instruction.
vex_lines() {
  objdump -d --no-show-raw-insn "$1" | awk '
    /^[0-9a-f]+ <.*>:$/ { sym = $2; sub(/^</, "", sym); sub(/>:$/, "", sym); next }
    /^ *[0-9a-f]+:\t/ {
      line = $0; sub(/^ *[0-9a-f]+:\t/, "", line)
      split(line, parts, /[ \t]+/); op = parts[1]
      vex = 0
      if (op ~ /^\{(vex|vex2|vex3|evex)\}$/) vex = 1
      prefix = "^(rex[.a-zA-Z]*|data16|addr32|lock|rep|repz|repnz|notrack|bnd" \
               "|cs|ds|es|fs|gs|ss|\\{[a-z0-9]+\\})$"
      if (op ~ prefix && parts[2] != "") op = parts[2]
      sysop = "^(vmcall|vmlaunch|vmresume|vmxoff|vmxon|vmread|vmwrite|vmptrld|vmptrst|vmclear" \
               "|vmfunc|vmrun|vmload|vmsave|vmmcall|verr|verw)$"
      if (op ~ /^v/ && op !~ sysop) vex = 1
      if (line ~ /%[yz]mm[0-9]/ || line ~ /%k[0-7]([^0-9]|$)/) vex = 1
      if (op ~ /^k(mov|and|andn|or|xor|xnor|not|shiftl|shiftr|test|ortest|add|unpck)[bwdq]/) vex = 1
      if (op ~ /^(andn|bextr|blsi|blsmsk|blsr|bzhi|mulx|pdep|pext|rorx|sarx|shlx|shrx)$/) vex = 1
      if (vex) print sym "\t" line
    }'
}

# Defined function symbols of object files (mangled names), one per line, sorted, unique.
defined_text_symbols() {
  nm --defined-only "$@" 2>/dev/null | awk 'NF == 3 && $2 ~ /^[TtWwi]$/ { print $3 }' | sort -u
}

passed=0
failed=0
skipped=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. Baseline objects: no VEX at all.
baseline_bad=0
for o in "${baseline_objs[@]}"; do
  vex_lines "$o" >"$work/obj.vex"
  if [ -s "$work/obj.vex" ]; then
    baseline_bad=1
    echo "FAIL: baseline object $o holds $(wc -l <"$work/obj.vex") VEX/EVEX instruction(s):"
    cut -f1 "$work/obj.vex" | sort | uniq -c | sort -rn | head -10 |
      while read -r count sym; do echo "    $count in $(c++filt "$sym")"; done
    echo "    first: $(head -n 1 "$work/obj.vex" | cut -f2)"
  fi
done
if [ "$baseline_bad" -eq 0 ]; then
  echo "ok: ${#baseline_objs[@]} baseline object files hold no VEX/EVEX instruction"
fi

# The allowed set: defined in an ISA object and in no baseline object.
defined_text_symbols "${avx2_objs[@]}" >"$work/avx2.syms"
defined_text_symbols "${baseline_objs[@]}" >"$work/baseline.syms"
comm -23 "$work/avx2.syms" "$work/baseline.syms" >"$work/allowed.syms"
comm -12 "$work/avx2.syms" "$work/baseline.syms" >"$work/shared.syms"
for o in "${avx2_objs[@]}"; do vex_lines "$o"; done >"$work/avx2obj.vex"
avx2_obj_vex=$(wc -l <"$work/avx2obj.vex")
# A weak function compiled in both kinds of file, with VEX in its ISA copy: safe only while the
# linker keeps the baseline copy (checked below on the addon itself), so say so.
cut -f1 "$work/avx2obj.vex" | sort -u | comm -12 - "$work/shared.syms" |
  while read -r sym; do
    echo "warning: $(c++filt -- "$sym") is compiled both in an ISA unit (with VEX/EVEX)" \
         "and in a baseline unit; keep it out of headers shared by both"
  done

is_stripped() { ! nm "$1" >/dev/null 2>&1 || [ -z "$(nm "$1" 2>/dev/null | head -n 1)" ]; }
build_id() { readelf -n "$1" 2>/dev/null | awk '/Build ID/ { print $3 }'; }

unstripped_vex_count=""
unstripped_id=""
if [ -f "$unstripped_default" ] && ! is_stripped "$unstripped_default"; then
  unstripped_vex_count=$(vex_lines "$unstripped_default" | wc -l)
  unstripped_id=$(build_id "$unstripped_default")
fi

for addon in "${addons[@]}"; do
  [ -f "$addon" ] || die "no such file: $addon"
  vex_lines "$addon" >"$work/addon.vex"
  count=$(wc -l <"$work/addon.vex")
  if ! is_stripped "$addon"; then
    # 2. Map every VEX instruction to its function.
    cut -f1 "$work/addon.vex" | sort | uniq -c | awk '{ print $2 "\t" $1 }' >"$work/addon.funcs"
    bad=0
    while IFS=$'\t' read -r sym n; do
      if grep -qxF -- "$sym" "$work/allowed.syms"; then continue; fi
      bad=1
      if grep -qxF -- "$sym" "$work/shared.syms"; then
        why="defined in an ISA (avx2/avx512 unit) object AND in a baseline object (an"
        why+=" inline function or template compiled twice, and the linker kept the AVX copy for"
        why+=" every caller)"
      else
        why="not defined by any avx2 or avx512 unit object"
      fi
      echo "FAIL: $addon: $n VEX/EVEX instruction(s) in $(c++filt -- "$sym"): $why"
      echo "    first: $(grep -m1 -F -- "$sym"$'\t' "$work/addon.vex" | cut -f2)"
    done <"$work/addon.funcs"
    if [ "$count" -eq 0 ]; then
      # The AVX2 kernels must be in there: zero means the check itself is looking at nothing.
      bad=1
      echo "FAIL: $addon holds no VEX instruction at all: are the AVX2/AVX-512 kernels missing," \
           "or is this check broken?"
    fi
    if [ "$bad" -eq 0 ] && [ "$baseline_bad" -eq 0 ]; then
      nfunc=$(wc -l <"$work/addon.funcs")
      echo "ok: $addon: $count VEX/EVEX instructions, all in $nfunc function(s) of the" \
           "avx2/avx512 units ($avx2_obj_vex in their object files)"
      passed=$((passed + 1))
    else
      failed=$((failed + 1))
    fi
  else
    # 3. Stripped: compare with the unstripped addon of the same build.
    id=$(build_id "$addon")
    if [ -z "$unstripped_vex_count" ]; then
      echo "skip: $addon is stripped and there is no unstripped $unstripped_default to compare with"
      skipped=$((skipped + 1))
    elif [ -z "$id" ] || [ "$id" != "$unstripped_id" ]; then
      echo "skip: $addon is stripped and comes from another build than $unstripped_default" \
           "(build id ${id:-none} vs ${unstripped_id:-none}); rebuild with npm run build:native" \
           "from the same sources (same sources, same build id) and run this check again"
      skipped=$((skipped + 1))
    elif [ "$count" -eq "$unstripped_vex_count" ] && [ "$baseline_bad" -eq 0 ]; then
      echo "ok: $addon (stripped): $count VEX/EVEX instructions, as many as in" \
           "$unstripped_default of the same build"
      passed=$((passed + 1))
    else
      echo "FAIL: $addon (stripped) holds $count VEX/EVEX instructions, but" \
           "$unstripped_default of the same build $unstripped_vex_count"
      failed=$((failed + 1))
    fi
  fi
done

[ "$skipped" -eq 0 ] || echo "($skipped skipped)"
echo "isa-check: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
