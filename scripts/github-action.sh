#!/usr/bin/env bash
# The work of action.yml: find the caption drafts (.txt, .md, .markdown) that changed since the
# base commit under SKJULT_PATHS, and check them with `skjult check --format github`, whose
# annotations and step summary GitHub shows. Reads SKJULT_* variables (see action.yml).
set -euo pipefail

if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "::error::skjult: not in a git checkout; run actions/checkout (with fetch-depth: 0) first"
  exit 2
fi
read -r -a pathspecs <<< "${SKJULT_PATHS:-.}"
base="${SKJULT_BASE:-${SKJULT_PR_BASE:-${SKJULT_PUSH_BEFORE:-}}}"
if [ "$base" = "0000000000000000000000000000000000000000" ]; then
  base=""  # the first push of a branch: no commit before it
fi

files=()
if [ "${SKJULT_ALL:-false}" = "true" ] || [ -z "$base" ]; then
  # every draft under the paths (also when there is nothing to compare with)
  while IFS= read -r -d '' file; do files+=("$file"); done \
    < <(git ls-files -z -- "${pathspecs[@]}")
else
  if ! git cat-file -e "$base^{commit}" 2>/dev/null; then
    echo "::error::skjult: the base commit $base is not in the checkout; use actions/checkout with fetch-depth: 0"
    exit 2
  fi
  while IFS= read -r -d '' file; do files+=("$file"); done \
    < <(git diff -z --name-only --diff-filter=ACMR "$base" HEAD -- "${pathspecs[@]}")
fi

drafts=()
for file in "${files[@]+"${files[@]}"}"; do
  if [ -L "$file" ] || [ ! -f "$file" ]; then
    # a link could point anywhere on the runner: its target is not the pull request's text
    echo "::warning file=$file::skjult: not checked: a symbolic link or not a file"
    continue
  fi
  case "${file,,}" in
    *.txt|*.md|*.markdown) drafts+=("$file") ;;
  esac
done

if [ "${#drafts[@]}" -eq 0 ]; then
  message="skjult: no caption draft (.txt, .md) changed under ${SKJULT_PATHS:-.}; nothing was checked"
  echo "$message"
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then echo "$message" >> "$GITHUB_STEP_SUMMARY"; fi
  exit 0
fi

exec skjult check --format github --no-progress \
  --jurisdiction "${SKJULT_JURISDICTION:-dk}" --lang "${SKJULT_LANG:-da}" \
  --fail-level "${SKJULT_FAIL_LEVEL:-error}" -- "${drafts[@]}"
