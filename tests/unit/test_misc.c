/*
 * test_misc - queue ids, address quoting, printable(), units, config
 * parameter expansion.
 */
#include "util/buf.h"
#include "spool/config.h"
#include "util/quote.h"
#include "spool/queue_id.h"
#include "util/units.h"
#include "unit.h"

#include <stdlib.h>
#include <unistd.h>

int main(void)
{
	struct pq_buf b = PQ_BUF_INIT, s = PQ_BUF_INIT;

	CHECK(pq_qid_ok("3F1A2B4C5D"), "short id ok");
	CHECK(pq_qid_ok("4SVLCh0sf8zgY7Q"), "long id ok");
	CHECK(!pq_qid_ok("123.456"), "temp file name rejected");
	CHECK(!pq_qid_ok(""), "empty id rejected");
	CHECK(!pq_qid_ok("ABC#FIX"), "#FIX name rejected");
	CHECK(pq_qid_long_sep("4SVLCh0sf8zgY7Q") != NULL, "long form detected");
	CHECK(pq_qid_long_sep("3F1A2B4C5Dz") != NULL, "z at index 10 is long form");
	CHECK(pq_qid_long_sep("3F1A2B4Cz") == NULL, "z before index 10 is short form");
	/* usec 123456 = 0x1E240, encoded in base 52 as 4 digits. */
	pq_buf_reset(&b);
	pq_safe_ultostr(&b, 123456, 52, 4);
	pq_buf_adds(&b, "z");
	pq_buf_reset(&s);
	pq_safe_ultostr(&s, 1700000000, 52, 6);
	pq_buf_add(&s, b.data, b.len);
	pq_buf_adds(&s, "gY7Q");
	struct pq_buf k = PQ_BUF_INIT;
	CHECK_STR(pq_qid_hash_key(s.data, &k), "1E240", "long id hashes by usec hex");
	CHECK_STR(pq_qid_hash_key("ABCDE123", &k), "ABCDE123", "short id hashes by itself");
	time_t sec;
	long usec;
	CHECK(pq_qid_long_time(s.data, &sec, &usec) && sec == 1700000000
	      && usec == 123456, "long id arrival time decodes");
	pq_buf_free(&k);

	pq_quote_822_local(&b, "user@example.com");
	CHECK_STR(b.data, "user@example.com", "dot-atom left alone");
	pq_quote_822_local(&b, "defer me@example.com");
	CHECK_STR(b.data, "\"defer me\"@example.com", "space quoted");
	pq_quote_822_local(&b, "a\"b\\c@example.com");
	CHECK_STR(b.data, "\"a\\\"b\\\\c\"@example.com", "quote and backslash escaped");
	pq_quote_822_local(&b, "@example.com");
	CHECK_STR(b.data, "\"\"@example.com", "empty local part");
	pq_quote_822_local(&b, "a..b@x");
	CHECK_STR(b.data, "\"a..b\"@x", "double dot quoted");
	pq_quote_822_local(&b, "@r1,@r2:u@x");
	CHECK_STR(b.data, "@r1,@r2:u@x", "source route kept");
	pq_quote_822_local(&b, "ü@exämple.org");
	CHECK_STR(b.data, "ü@exämple.org", "8-bit local part not quoted");

	char t1[] = "a\tb\x7f" "c\xc3\xbc";
	CHECK_STR(pq_printable(t1, '?', true), "a?b?c\xc3\xbc", "printable keeps UTF-8");
	char t2[] = "c\xc3\xbc";
	CHECK_STR(pq_printable(t2, '?', false), "c??", "printable ASCII-only");

	long v;
	CHECK(pq_parse_duration("1d12h", &v) && v == 129600, "duration 1d12h");
	CHECK(pq_parse_duration("90", &v) && v == 90, "bare duration is seconds");
	CHECK(!pq_parse_duration("3x", &v), "bad duration unit");
	CHECK(!pq_parse_duration("", &v), "empty duration");
	CHECK(!pq_parse_duration("99999999999999999999d", &v), "duration overflow");
	CHECK(pq_parse_size("10k", &v) && v == 10240, "size 10k");
	CHECK(!pq_parse_size("-1", &v), "negative size");
	CHECK(pq_parse_duration("36500d", &v) && v == PQ_DURATION_MAX, "duration at its limit");
	CHECK(!pq_parse_duration("36500d1s", &v), "duration past its limit");
	CHECK(!pq_parse_duration("3153600001", &v), "bare duration past its limit");
	CHECK(pq_parse_size("1024g", &v) && v == PQ_SIZE_MAX, "size at its limit");
	CHECK(!pq_parse_size("1025g", &v), "size past its limit");
	CHECK(!pq_parse_size("1099511627777", &v), "bare size past its limit");
	CHECK(!pq_parse_size("9223372036854775807k", &v), "size overflow");

	char dir[] = "/tmp/postq-cfg-XXXXXX";
	if (mkdtemp(dir)) {
		char path[600];
		snprintf(path, sizeof(path), "%s/main.cf", dir);
		FILE *fp = fopen(path, "w");
		fputs("# comment\n"
		      "base = /srv\n"
		      "queue_directory = $base/spool\n"
		      "   # indented comment\n"
		      "hash_queue_names = deferred,\n"
		      "    defer, hold\n"
		      "enable_long_queue_ids = yes\n"
		      "multi_instance_name = postfix-out\n"
		      "compatibility_level = 3.6\n", fp);
		fclose(fp);
		struct pq_err perr;
		struct pq_config *cfg = pq_config_load(dir, false, &perr);
		CHECK_STR(pq_config_get(cfg, "queue_directory"), "/srv/spool",
			  "$name expansion");
		CHECK_STR(pq_config_get(cfg, "hash_queue_names"),
			  "deferred, defer, hold", "continuation line");
		CHECK(pq_config_bool(cfg, "enable_long_queue_ids", &perr) == 1, "boolean");
		CHECK_STR(pq_config_get(cfg, "syslog_name"), "postfix-out",
			  "${name?{...}} default expansion");
		CHECK_STR(pq_config_get(cfg, "smtputf8_enable"), "yes",
			  "smtputf8_enable follows compatibility_level");
		CHECK_STR(pq_config_get(cfg, "hash_queue_depth"), "1", "built-in default");
		pq_config_free(cfg);
		unlink(path);
		rmdir(dir);
	}
	pq_buf_free(&b);
	pq_buf_free(&s);
	return unit_status();
}
