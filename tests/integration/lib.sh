# Shared by the integration scripts (sourced, POSIX sh). The caller sets
# fails=0 first; the helpers use only lib__* names of their own.

check() { # check DESCRIPTION COMMAND...: run it, print ok/FAIL, count failures
    lib__desc=$1; shift
    if "$@"; then echo "  ok   $lib__desc"; else echo "  FAIL $lib__desc"; fails=$((fails + 1)); fi
}

wait_for() { # wait_for SECONDS COMMAND...: poll every 0.1 s until it succeeds; 1 on timeout
    lib__limit=$1; shift
    lib__i=0
    while ! "$@" >/dev/null 2>&1; do
        lib__i=$((lib__i + 1))
        [ $lib__i -gt $((lib__limit * 10)) ] && return 1
        sleep 0.1
    done
}
