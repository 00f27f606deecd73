#!/usr/bin/env bash
# Mutation testing (mutmut 3) of one grading module against the tests that should catch it.
#
#   tools/mutation.sh classify|grading|metrics|alignment|gradebook|trn|asr-exercise [MAX_CHILDREN [MUTANT...]]
#
# mutmut copies the package into ./mutants/ (git-ignored), mutates the module's functions one
# change at a time and runs the listed test files against each mutant; a mutant that leaves
# them green "survived". The [mutmut] section is written to a temporary setup.cfg (pyproject.toml
# has no [tool.mutmut], so mutmut reads setup.cfg) and removed afterwards. Runs niced: it is
# CPU-heavy (minutes to an hour per module on 2 cores). Results: `mutmut results`,
# `mutmut show NAME`; the summary line is printed at the end (MUTATION_OUT=DIR keeps the
# list of results outside ./mutants/, which the next run clears).
# Needs the `mutation` extra: pip install -e '.[mutation]'.
set -euo pipefail
cd "$(dirname "$0")/.."
module="${1:?module: classify, grading, metrics, alignment, gradebook, trn or asr-exercise}"
children="${2:-2}"
shift $(( $# < 2 ? $# : 2 ))  # the rest: mutant names to run alone (e.g. last run's survivors)

case "$module" in
  classify)  files="transcribe/classify.py transcribe/homophones.py"
             tests="tests/test_classify.py tests/test_homophones.py tests/test_labelled.py tests/test_typologie.py" ;;
  grading)   files="transcribe/grading.py"
             tests="tests/test_grading.py tests/test_homophones.py tests/test_cli_score.py tests/test_labelled.py tests/test_typologie.py" ;;
  metrics)   files="transcribe/metrics.py"
             tests="tests/test_metrics.py tests/test_properties.py tests/test_cli_score.py" ;;
  alignment) files="transcribe/alignment.py"
             tests="tests/test_classify.py tests/test_labelled.py tests/test_properties.py" ;;
  gradebook) files="transcribe/gradebook.py"
             tests="tests/test_grade_batch.py" ;;
  trn)       files="transcribe/bench/trn.py"
             tests="tests/test_bench_trn.py" ;;
  asr-exercise) files="transcribe/commands/asr.py"
             tests="tests/test_asr_cli.py" ;;
  *) echo "module inconnu : $module" >&2; exit 2 ;;
esac

if [ -e setup.cfg ]; then echo "setup.cfg existe déjà : abandon" >&2; exit 2; fi
# mutmut ends each mutant's pytest without the session's clean-up: the tests' session folders
# (tests/conftest.py, under TMPDIR) go to a folder of this run, removed at the end.
export TMPDIR
TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/transcribe-mutation-XXXXXX")
trap 'rm -f setup.cfg; rm -rf "$TMPDIR"' EXIT
{
  echo "[mutmut]"
  echo "source_paths = transcribe/"
  echo "only_mutate ="
  for f in $files; do echo "    $f"; done
  echo "pytest_add_cli_args_test_selection ="
  for t in $tests; do echo "    $t"; done
  echo "pytest_add_cli_args ="
  echo "    -p"
  echo "    no:cacheprovider"
  echo "also_copy ="
  for d in references/ examples/ audio_samples/ docs/ transcribe_cli.py; do echo "    $d"; done
} > setup.cfg

# A fresh copy for a whole run, or when the last run was another module's.
if [ $# -eq 0 ] || [ "$(cat mutants/.module 2>/dev/null)" != "$module" ]; then rm -rf mutants; fi
mkdir -p mutants && echo "$module" > mutants/.module
nice -n 19 mutmut run --max-children "$children" "$@"
out="${MUTATION_OUT:-mutants}/results-$module.txt"
mkdir -p "$(dirname "$out")"
mutmut results --all true > "$out"
echo "== $module: $(grep -c ': killed' "$out" || true) tués, $(grep -c ': survived' "$out" || true) survivants ($out)"
