/* test_csv: numbers written by out/csv read back to the same value; fields, headers and the
 * errors of output files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/rng.h"
#include "out/csv.h"

/* Writes v, reads the text back with strtod and wants the very same double. */
static void round_trip(double v)
{
    char buf[SIM_REAL_LEN];
    sim_format_real(buf, v);
    char *end;
    double back = strtod(buf, &end);
    if (*end || back != v)
        fail_msg("%.17g written as '%s' reads back as %.17g", v, buf, back);
}

static void test_reals_read_back(void **state)
{
    (void)state;
    const double fixed[] = { 0.1, 1.0 / 3, 2.0 / 3, 1e-300, 5e-324, DBL_MAX, DBL_MIN,
                             0.30000000000000004, 123456789.123456789, 1e22, 9007199254740993.0,
                             -2.5, 0.9041414141414141, 1 - DBL_EPSILON, 1 + DBL_EPSILON };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        round_trip(fixed[i]);
    sim_rng r;
    sim_rng_init(&r, 42, 0, "test/csv");
    for (int i = 0; i < 200000; i++) {
        uint64_t bits = sim_rng_next(&r);
        double v;
        memcpy(&v, &bits, sizeof v);
        if (isfinite(v))
            round_trip(v);
        round_trip(sim_rng_uniform(&r) * pow(10, (double)(i % 40) - 20));
    }
}

/* The formatter as first written: snprintf and strtod at 15, 16 and 17 digits. The fast one must
 * spell every value exactly as it did. */
static void reference_real(char *buf, double v)
{
    if (isnan(v)) {
        buf[0] = 0;
        return;
    }
    if (isinf(v)) {
        strcpy(buf, v > 0 ? "inf" : "-inf");
        return;
    }
    if (v == 0)
        v = 0.0;
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, SIM_REAL_LEN, "%.*g", prec, v);
        if (prec == 17 || strtod(buf, NULL) == v)
            return;
    }
}

static void same_as_reference(double v)
{
    char fast[SIM_REAL_LEN], ref[SIM_REAL_LEN];
    sim_format_real(fast, v);
    reference_real(ref, v);
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    if (strcmp(fast, ref))
        fail_msg("%.17g (bits %016llx): '%s', expected '%s'", v, (unsigned long long)bits, fast,
                 ref);
}

static void test_reals_as_printf(void **state)
{
    (void)state;
    const double fixed[] = { 0.1, 0.5, 1.5, 2.5, 0.25, 0.125, 1e-5, 1.5e-5, 2.5e-4, 1e-4, 1e15,
                             1e16, 1e17, 123456789012345.0, 1234567890123456.0,
                             12345678901234567.0, 9.9999999999999995e-5, 99999.999999999993,
                             0.99999999999999989, 9999999999999998.0, 5e-324, 2.2250738585072014e-308,
                             1.7976931348623157e308, 1e22, 1e23, 4.35, 0.3, 2.675, 1.005,
                             1e-4 * 3, 0.000123456789012345678, 1e100, 1e-100, 65.5, 0.015625 };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        same_as_reference(fixed[i]);
        same_as_reference(-fixed[i]);
    }
    sim_rng r;
    sim_rng_init(&r, 7, 0, "test/csv/printf");
    for (int i = 0; i < 300000; i++) {
        uint64_t bits = sim_rng_next(&r);
        double v;
        memcpy(&v, &bits, sizeof v);
        if (isfinite(v))
            same_as_reference(v);
        same_as_reference(sim_rng_uniform(&r) * pow(10, (double)(i % 50) - 25));
        /* short decimals and halves: k / 10^j, (2k + 1) / 2^j, integers, and their neighbours */
        double k = (double)(sim_rng_next(&r) % 2000000);
        double dec = k / pow(10, (double)(i % 12)), half = (2 * k + 1) / ldexp(1, i % 60);
        same_as_reference(dec);
        same_as_reference(nextafter(dec, 0));
        same_as_reference(nextafter(dec, INFINITY));
        same_as_reference(half);
        same_as_reference(k * pow(10, (double)(i % 20)));
    }
}

static void test_reals_short(void **state)
{
    (void)state;
    char buf[SIM_REAL_LEN];
    sim_format_real(buf, 0.1);
    assert_string_equal(buf, "0.1");
    sim_format_real(buf, 1000);
    assert_string_equal(buf, "1000");
    sim_format_real(buf, -0.0);
    assert_string_equal(buf, "0");
    sim_format_real(buf, NAN);
    assert_string_equal(buf, "");
    sim_format_real(buf, INFINITY);
    assert_string_equal(buf, "inf");
    sim_format_real(buf, -INFINITY);
    assert_string_equal(buf, "-inf");
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static void test_rows_and_long_header(void **state)
{
    (void)state;
    char path[] = "/tmp/test_csv_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    sim_file f;
    assert_int_equal(sim_file_open(&f, path), SIM_OK);
    /* A header far longer than any fixed buffer: 300 columns. */
    const char *names[300];
    char store[300][16];
    for (int i = 0; i < 300; i++) {
        snprintf(store[i], sizeof store[i], "column_%03d", i);
        names[i] = store[i];
    }
    sim_csv_header(&f, names, 300);
    sim_csv_u64(&f, UINT64_MAX);
    sim_csv_str(&f, "a,\"b\"");
    sim_csv_real(&f, NAN);
    sim_csv_real(&f, 12345678901.5);
    sim_csv_end(&f);
    assert_int_equal(sim_file_close(&f), SIM_OK);
    sim_file_fini(&f, 0);
    char *text = slurp(path);
    char *nl = strchr(text, '\n');
    assert_non_null(nl);
    assert_true(strstr(text, "column_299\n") == nl - strlen("column_299"));
    int commas = 0;
    for (char *p = text; p < nl; p++)
        commas += *p == ',';
    assert_int_equal(commas, 299);
    assert_string_equal(nl + 1, "18446744073709551615,\"a,\"\"b\"\"\",,12345678901.5\n");
    unlink(path);
}

static void test_errors_keep_errno(void **state)
{
    (void)state;
    sim_file f;
    assert_int_equal(sim_file_open(&f, "/nonexistent-dir/x.csv"), SIM_EIO);
    assert_int_equal(f.err, ENOENT);
    sim_file_fini(&f, 0);
    if (access("/dev/full", W_OK) == 0) {
        assert_int_equal(sim_file_open(&f, "/dev/full"), SIM_OK);
        for (int i = 0; i < 10000; i++)
            sim_csv_str(&f, "some text that fills the buffer");
        sim_csv_end(&f);
        assert_int_equal(sim_file_close(&f), SIM_EIO);
        assert_int_equal(f.err, ENOSPC);
        sim_file_fini(&f, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reals_read_back),
        cmocka_unit_test(test_reals_short),
        cmocka_unit_test(test_reals_as_printf),
        cmocka_unit_test(test_rows_and_long_header),
        cmocka_unit_test(test_errors_keep_errno),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
