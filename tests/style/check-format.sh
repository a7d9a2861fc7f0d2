#!/usr/bin/env bash
# Every C file of the tree is formatted with the checked-in .clang-format
# (src/api/unsupported.c is generated and exempt).  Prints the files that
# are not, and how to fix them.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v clang-format >/dev/null || { echo "clang-format not installed (Debian package clang-format)"; exit 1; }
bad=()
while IFS= read -r f; do
  [ "$f" = src/api/unsupported.c ] && continue
  clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done < <(git ls-files 'src/*.[ch]' 'modules/*.[ch]' 'tools/*.[ch]' 'bench/*.[ch]' 'tests/*.[ch]' 'examples/*.[ch]' 2>/dev/null ||
         find src modules tools bench tests examples -name '*.[ch]')
if [ "${#bad[@]}" -gt 0 ]; then
  printf 'not formatted: %s\n' "${bad[@]}"
  echo "fix with: clang-format -i ${bad[*]}"
  exit 1
fi
echo "all C files formatted"
