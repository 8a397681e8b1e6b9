/* tenant.c: per-client connection counts, token buckets, sweeping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "tenant.h"

/* Connections count up and down per key; keys are told apart. */
static void
test_hold_release(void **state)
{
	struct tenants	*ts = tenants_new();
	struct tenant	*a, *a2, *b;

	a = tenant_hold(ts, "uid:1000@ci", 0);
	a2 = tenant_hold(ts, "uid:1000@ci", 0);
	b = tenant_hold(ts, "uid:1001@ci", 0);
	assert_ptr_equal(a, a2);
	assert_ptr_not_equal(a, b);
	assert_int_equal(tenant_conns(a), 2);
	assert_int_equal(tenant_conns(b), 1);
	assert_int_equal(tenants_count(ts), 2);
	tenant_release(a, 10);
	assert_int_equal(tenant_conns(a), 1);
	tenant_release(a, 10);
	tenant_release(a, 10);		/* never below 0 */
	assert_int_equal(tenant_conns(a), 0);
	tenant_release(NULL, 10);
	tenants_free(ts);
	tenants_free(NULL);
}

/* A bucket starts full, empties, refills at the rate, caps at burst. */
static void
test_bucket(void **state)
{
	struct tenants	*ts = tenants_new();
	struct tenant	*t = tenant_hold(ts, "cert:ab@remote", 0);
	unsigned	 wait = 0;
	int		 i;

	for (i = 0; i < 3; i++)
		assert_true(tenant_take(t, 2, 3, 1000, &wait));
	assert_false(tenant_take(t, 2, 3, 1000, &wait));
	assert_int_equal(wait, 501);		/* half a second at 2/s */
	assert_false(tenant_take(t, 2, 3, 1400, &wait));
	assert_true(wait > 0 && wait <= 101);
	assert_true(tenant_take(t, 2, 3, 1500, &wait));
	/* a long pause refills to burst, not beyond */
	for (i = 0; i < 3; i++)
		assert_true(tenant_take(t, 2, 3, 100000, &wait));
	assert_false(tenant_take(t, 2, 3, 100000, &wait));
	/* holding and releasing connections does not refill it */
	tenant_release(tenant_hold(ts, "cert:ab@remote", 100400), 100400);
	assert_false(tenant_take(t, 2, 3, 100400, &wait));
	tenants_free(ts);
}

/* Idle entries go; held or recent ones stay. */
static void
test_sweep(void **state)
{
	struct tenants	*ts = tenants_new();
	struct tenant	*held, *idle, *recent;
	char		 key[32];
	int		 i;

	held = tenant_hold(ts, "held", 0);
	idle = tenant_hold(ts, "idle", 0);
	tenant_release(idle, 100);
	recent = tenant_hold(ts, "recent", 0);
	tenant_release(recent, 5000);
	for (i = 0; i < 1000; i++) {	/* many keys share buckets */
		snprintf(key, sizeof(key), "k%d", i);
		tenant_release(tenant_hold(ts, key, 0), 200);
	}
	assert_int_equal(tenants_count(ts), 1003);
	tenants_sweep(ts, 1000);
	assert_int_equal(tenants_count(ts), 2);
	assert_int_equal(tenant_conns(held), 1);
	assert_ptr_equal(tenant_hold(ts, "recent", 6000), recent);
	assert_int_equal(tenants_count(ts), 2);
	tenants_free(ts);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hold_release),
		cmocka_unit_test(test_bucket),
		cmocka_unit_test(test_sweep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
