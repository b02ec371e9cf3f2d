/* The partitioners: the hashes agree with the Java client (every row of
 * its murmur2 vectors) and with librdkafka (CRC-32, FNV-1a); each
 * partitioner places keyed and null-key records as documented; the sticky
 * partition stays until its batch closes, then moves elsewhere, spreads,
 * and avoids unavailable partitions; random placement is uniform; the
 * application's callback overrides and falls back; and concurrent threads
 * share one sticky state safely (run this under TSan too). */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "client/props.h"
#include "producer/hash.h"
#include "producer/partitioner.h"
#include "../kt.h"

/* The Java client's murmur2 and default partitioner (kafka-clients 2.1.1)
 * on these keys: the key's bytes in hex (the first is the empty key, not a
 * null key), Utils.murmur2(), Utils.toPositive() of it, and the partition
 * for 1, 3, 4, 7, 12 and 100 partitions. */
static const int32_t java_counts[6] = {1, 3, 4, 7, 12, 100};

static const struct java_row {
	const char *key_hex;
	int32_t murmur2;
	int32_t positive;
	int32_t partition[6];
} java_rows[] = {
	{"", 275646681, 275646681, {0, 0, 1, 2, 9, 81}},
	{"61", -1563381124, 584102524, {0, 1, 0, 5, 4, 24}},
	{"6162", 316155434, 316155434, {0, 2, 2, 0, 2, 34}},
	{"616263", 479470107, 479470107, {0, 0, 3, 4, 3, 7}},
	{"61626364", -1323649548, 823834100, {0, 2, 0, 5, 8, 0}},
	{"7472616e73666572", -1399843438, 747640210, {0, 1, 2, 2, 10, 10}},
	{"6d6f76696d656e746163616f", 446788100, 446788100, {0, 2, 0, 3, 8, 0}},
	{"416c696365", 269325657, 269325657, {0, 0, 1, 6, 9, 57}},
	{"76656e646173", 2095020477, 2095020477, {0, 0, 1, 4, 9, 77}},
	{"6b65792d30", 29210041, 29210041, {0, 1, 1, 0, 1, 41}},
	{"6b65792d31", 193331640, 193331640, {0, 0, 0, 5, 0, 40}},
	{"6b65792d32", 852269702, 852269702, {0, 2, 2, 4, 2, 2}},
	{"6b65792d3432", -187086521, 1960397127, {0, 0, 3, 3, 3, 27}},
	{"6b65792d393939", -1349681240, 797802408, {0, 0, 0, 4, 0, 8}},
	{"30", 971027396, 971027396, {0, 2, 0, 3, 8, 96}},
	{"31", -1993445489, 154038159, {0, 0, 3, 2, 3, 59}},
	{"68656c6c6f20776f726c64", 1221641059, 1221641059, {0, 1, 3, 2, 7, 59}},
	{"54686520717569636b2062726f776e20666f78206a756d7073206f7665722074"
	 "6865206c617a7920646f67", 495243318, 495243318, {0, 0, 2, 3, 6, 18}},
	{"c3a7c3a36f2d756e69636f64652de282ac", 302774568, 302774568, {0, 0, 0, 5, 0, 68}},
	{"7878787878787878787878787878787878787878787878787878787878787878"
	 "7878787878787878787878787878787878787878787878787878787878787878"
	 "7878787878787878787878787878787878787878787878787878787878787878"
	 "78787878", 1249054468, 1249054468, {0, 1, 0, 4, 4, 68}},
	{"757365722d30", 637506763, 637506763, {0, 1, 3, 5, 7, 63}},
	{"757365722d37393139", -1626599038, 520884610, {0, 1, 2, 1, 10, 10}},
	{"757365722d3135383338", 1827047755, 1827047755, {0, 1, 3, 1, 7, 55}},
	{"757365722d3233373537", -248964001, 1898519647, {0, 1, 3, 3, 7, 47}},
	{"757365722d3331363736", 862548099, 862548099, {0, 0, 3, 0, 3, 99}},
	{"757365722d3339353935", -1561267692, 586215956, {0, 2, 0, 4, 8, 56}},
	{"757365722d3437353134", 967407542, 967407542, {0, 2, 2, 3, 2, 42}},
	{"757365722d3535343333", -1951510126, 195973522, {0, 1, 2, 3, 10, 22}},
	{"757365722d3633333532", -1527192146, 620291502, {0, 0, 2, 5, 6, 2}},
	{"757365722d3731323731", -1394872114, 752611534, {0, 1, 2, 3, 10, 34}},
	{"757365722d3739313930", 2056230363, 2056230363, {0, 0, 3, 5, 3, 63}},
	{"757365722d3837313039", -361171350, 1786312298, {0, 2, 2, 1, 2, 98}},
	{"757365722d3935303238", 1789065597, 1789065597, {0, 0, 1, 4, 9, 97}},
	{"757365722d313032393437", -1431006642, 716477006, {0, 2, 2, 0, 2, 6}},
	{"757365722d313130383636", -1785842336, 361641312, {0, 0, 0, 4, 0, 12}},
	{"757365722d313138373835", 338618854, 338618854, {0, 1, 2, 0, 10, 54}},
	{"757365722d313236373034", 1211735829, 1211735829, {0, 0, 1, 3, 9, 29}},
	{"757365722d313334363233", -239542247, 1907941401, {0, 0, 1, 2, 9, 1}},
	{"757365722d313432353432", -1521608667, 625874981, {0, 2, 1, 4, 5, 81}},
	{"757365722d313530343631", -2004711780, 142771868, {0, 2, 0, 1, 8, 68}},
	{"757365722d313538333830", -1912193616, 235290032, {0, 2, 0, 5, 8, 32}},
	{"757365722d313636323939", 561742966, 561742966, {0, 1, 2, 1, 10, 66}},
	{"757365722d313734323138", -422320725, 1725162923, {0, 2, 3, 1, 11, 23}},
	{"757365722d313832313337", -1483350602, 664133046, {0, 0, 2, 3, 6, 46}},
	{"757365722d313930303536", -1685965620, 461518028, {0, 2, 0, 6, 8, 28}},
	{"757365722d313937393735", -1665526031, 481957617, {0, 0, 1, 1, 9, 17}},
	{"757365722d323035383934", 268530890, 268530890, {0, 2, 2, 5, 2, 90}},
	{"757365722d323133383133", -1102865392, 1044618256, {0, 1, 0, 3, 4, 56}},
	{"757365722d323231373332", -226340841, 1921142807, {0, 2, 3, 3, 11, 7}},
	{"757365722d323239363531", 709222476, 709222476, {0, 0, 0, 4, 0, 76}},
	{"757365722d323337353730", -872988540, 1274495108, {0, 2, 0, 5, 8, 8}},
	{"757365722d323435343839", -107327524, 2040156124, {0, 1, 0, 6, 4, 24}},
	{"757365722d323533343038", 1153667150, 1153667150, {0, 2, 2, 6, 2, 50}},
	{"757365722d323631333237", -1398379677, 749103971, {0, 2, 3, 0, 11, 71}},
	{"757365722d323639323436", -856620798, 1290862850, {0, 2, 2, 4, 2, 50}},
	{"757365722d323737313635", -1271289092, 876194556, {0, 0, 0, 6, 0, 56}},
	{"757365722d323835303834", 1582109354, 1582109354, {0, 2, 2, 0, 2, 54}},
	{"757365722d323933303033", 1736841825, 1736841825, {0, 0, 1, 5, 9, 25}},
	{"757365722d333030393232", 1513887899, 1513887899, {0, 2, 3, 6, 11, 99}},
	{"757365722d333038383431", -112023049, 2035460599, {0, 1, 3, 4, 7, 99}},
	{"757365722d333136373630", 556840882, 556840882, {0, 1, 2, 3, 10, 82}},
	{"757365722d333234363739", -2092843494, 54640154, {0, 2, 2, 2, 2, 54}},
	{"757365722d333332353938", -1582563612, 564920036, {0, 2, 0, 2, 8, 36}},
	{"757365722d333430353137", 404002600, 404002600, {0, 1, 0, 1, 4, 0}},
	{"757365722d333438343336", -890204719, 1257278929, {0, 1, 1, 4, 1, 29}},
	{"757365722d333536333535", 767287880, 767287880, {0, 2, 0, 2, 8, 80}},
	{"757365722d333634323734", 1095858344, 1095858344, {0, 2, 0, 0, 8, 44}},
	{"757365722d333732313933", 242106891, 242106891, {0, 0, 3, 5, 3, 91}},
	{"757365722d333830313132", 538165829, 538165829, {0, 2, 1, 5, 5, 29}},
	{"757365722d333838303331", 399697502, 399697502, {0, 2, 2, 1, 2, 2}},
	{"757365722d333935393530", -607851182, 1539632466, {0, 0, 2, 1, 6, 66}},
	{"757365722d343033383639", 1876117692, 1876117692, {0, 0, 0, 1, 0, 92}},
	{"757365722d343131373838", -498048849, 1649434799, {0, 2, 3, 5, 11, 99}},
	{"757365722d343139373037", -564587114, 1582896534, {0, 0, 2, 2, 6, 34}},
	{"757365722d343237363236", -381967648, 1765516000, {0, 1, 0, 3, 4, 0}},
	{"757365722d343335353435", 204259585, 204259585, {0, 1, 1, 5, 1, 85}},
	{"757365722d343433343634", 1390701426, 1390701426, {0, 0, 2, 2, 6, 26}},
	{"757365722d343531333833", -579323965, 1568159683, {0, 1, 3, 6, 7, 83}},
	{"757365722d343539333032", 58029278, 58029278, {0, 2, 2, 6, 2, 78}},
	{"757365722d343637323231", -582060698, 1565422950, {0, 0, 2, 0, 6, 50}},
};

#define N_JAVA_ROWS (sizeof(java_rows) / sizeof(java_rows[0]))

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The key of a row in a heap block of exactly its length (at least one
 * byte, so an empty key is a non-NULL pointer), so ASan catches any read
 * past its end. The caller frees it. */
static uint8_t *key_of(const struct java_row *r, size_t *len)
{
	size_t n = strlen(r->key_hex), i;
	uint8_t *k;

	KT_ASSERT(n % 2 == 0);
	*len = n / 2;
	k = malloc(*len ? *len : 1);
	KT_ASSERT(k != NULL);
	for (i = 0; i < *len; i++) {
		int hi = hex_nibble(r->key_hex[2 * i]);
		int lo = hex_nibble(r->key_hex[2 * i + 1]);
		KT_ASSERT(hi >= 0 && lo >= 0);
		k[i] = (uint8_t)(hi << 4 | lo);
	}
	return k;
}

static void check_java_row(void *arg)
{
	const struct java_row *r = arg;
	static const enum kfk_partitioner_kind kinds[] = {
	    KFK_PARTITIONER_MURMUR2_STICKY, KFK_PARTITIONER_MURMUR2,
	    KFK_PARTITIONER_MURMUR2_RANDOM};
	struct kfk_sticky sticky = KFK_STICKY_INIT;
	size_t len, c, k;
	uint8_t *key = key_of(r, &len);

	KT_ASSERT_INT_EQ(kfk_hash_murmur2(key, len), r->murmur2);
	KT_ASSERT_INT_EQ(kfk_hash_to_positive(r->murmur2), r->positive);
	for (c = 0; c < 6; c++)
		for (k = 0; k < 3; k++) {
			int32_t p = kfk_partitioner_choose_kind(
			    kinds[k], key, len, java_counts[c], &sticky, NULL);
			KT_ASSERT_INT_EQ(p, r->partition[c]);
		}
	/* A keyed record never touches the sticky state. */
	KT_ASSERT_INT_EQ(atomic_load(&sticky.partition), -1);
	free(key);
}

KT_TEST(murmur2_matches_every_java_vector)
{
	size_t i;
	KT_ASSERT_INT_EQ(N_JAVA_ROWS, 80);
	for (i = 0; i < N_JAVA_ROWS; i++)
		kt_subtest(check_java_row, (void *)&java_rows[i], "java row %zu: %.24s",
		           i, java_rows[i].key_hex);
}

KT_TEST(murmur2_known_values)
{
	/* librdkafka's unit test values are the toPositive() forms. */
	KT_ASSERT_INT_EQ(kfk_hash_murmur2("kafka", 5), -798503068);
	KT_ASSERT_INT_EQ(kfk_hash_to_positive(kfk_hash_murmur2("kafka", 5)),
	                 1348980580);
	KT_ASSERT_INT_EQ(kfk_hash_to_positive(kfk_hash_murmur2("amqp", 4)),
	                 767747138);
	KT_ASSERT_INT_EQ(
	    kfk_hash_to_positive(kfk_hash_murmur2("giberish123456789", 17)),
	    257239820);
	/* NULL with length 0 is the empty key's hash. */
	KT_ASSERT_INT_EQ(kfk_hash_murmur2(NULL, 0), 275646681);
}

KT_TEST(to_positive_clears_only_the_sign_bit)
{
	KT_ASSERT_INT_EQ(kfk_hash_to_positive(0), 0);
	KT_ASSERT_INT_EQ(kfk_hash_to_positive(5), 5);
	KT_ASSERT_INT_EQ(kfk_hash_to_positive(-1), INT32_MAX);
	KT_ASSERT_INT_EQ(kfk_hash_to_positive(INT32_MIN), 0);
	KT_ASSERT_INT_EQ(kfk_hash_to_positive(INT32_MAX), INT32_MAX);
	KT_ASSERT_INT_EQ(kfk_hash_to_positive(-1563381124), 584102524);
}

KT_TEST(crc32_known_values)
{
	static const char fox[] = "The quick brown fox jumps over the lazy dog";
	KT_ASSERT_INT_EQ(kfk_hash_crc32("123456789", 9), 0xcbf43926u);
	KT_ASSERT_INT_EQ(kfk_hash_crc32("", 0), 0);
	KT_ASSERT_INT_EQ(kfk_hash_crc32(NULL, 0), 0);
	KT_ASSERT_INT_EQ(kfk_hash_crc32("a", 1), 0xe8b7be43u);
	KT_ASSERT_INT_EQ(kfk_hash_crc32("kafka", 5), 0x5bbc7517u);
	KT_ASSERT_INT_EQ(kfk_hash_crc32(fox, strlen(fox)), 0x414fa339u);
}

KT_TEST(fnv1a_matches_librdkafka)
{
	/* librdkafka's own vectors (from Go's hash/fnv, made non-negative). */
	static const struct {
		const char *key;
		uint32_t hash;
	} t[] = {
	    {"kafka", 0xd33c4e1u},
	    {"giberish123456789", 0x77a58295u},
	    {"1234", 0x23bdd03u},
	    {"234", 0x2dea3cd2u},
	    {"34", 0x740fa83eu},
	    {"4", 0x310ca263u},
	    {"PreAmbleWillBeRemoved,ThePrePartThatIs", 0x65cbd69cu},
	    {"reAmbleWillBeRemoved,ThePrePartThatIs", 0x6e49c79au},
	    {"eAmbleWillBeRemoved,ThePrePartThatIs", 0x69eed356u},
	    {"AmbleWillBeRemoved,ThePrePartThatIs", 0x6abcc023u},
	    {"", 0x7ee3623bu},
	};
	size_t i;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		KT_ASSERT_INT_EQ(kfk_hash_fnv1a(t[i].key, strlen(t[i].key)),
		                 t[i].hash);
	KT_ASSERT_INT_EQ(kfk_hash_fnv1a(NULL, 0), 0x7ee3623bu);
	/* Raw FNV-1a of "a" is 0xe40c292c, negative as an int32: negated. */
	KT_ASSERT_INT_EQ(kfk_hash_fnv1a("a", 1), 0x1bf3d6d4u);
	/* Raw FNV-1a of this key is 0x80000000, which negation keeps. */
	KT_ASSERT_INT_EQ(kfk_hash_fnv1a("L{5Mm!", 6), 0x80000000u);
	KT_ASSERT_INT_EQ(kfk_partitioner_choose_kind(KFK_PARTITIONER_FNV1A,
	                                             "L{5Mm!", 6, 7, NULL, NULL),
	                 2); /* 2^31 % 7, as an unsigned modulo */
}

KT_TEST(kind_names_match_the_property)
{
	const struct kfk_prop *p = kfk_prop_find("partitioner");
	const struct kfk_prop_choice *c;
	int n = 0;

	KT_ASSERT(p != NULL);
	KT_ASSERT_INT_EQ(p->type, KFK_PROP_ENUM);
	KT_ASSERT_STR_EQ(p->def, "murmur2_sticky");
	KT_ASSERT_INT_EQ(p->clients, KFK_PROP_PRODUCER);
	KT_ASSERT_INT_EQ(p->importance, KFK_PROP_MEDIUM);
	for (c = p->choices; c->name; c++, n++) {
		KT_ASSERT_INT_EQ(kfk_partitioner_by_name(c->name), c->value);
		KT_ASSERT_STR_EQ(kfk_partitioner_name((enum kfk_partitioner_kind)c->value),
		                 c->name);
	}
	KT_ASSERT_INT_EQ(n, KFK_PARTITIONER_KIND_COUNT);
	KT_ASSERT_INT_EQ(kfk_partitioner_by_name("murmur2_sticky"),
	                 KFK_PARTITIONER_MURMUR2_STICKY);
	KT_ASSERT_INT_EQ(kfk_partitioner_by_name("FNV1A_Random"),
	                 KFK_PARTITIONER_FNV1A_RANDOM);
	KT_ASSERT_INT_EQ(kfk_partitioner_by_name("murmur"), -1);
	KT_ASSERT_INT_EQ(kfk_partitioner_by_name(""), -1);
	KT_ASSERT_INT_EQ(kfk_partitioner_by_name(NULL), -1);
	KT_ASSERT_STR_EQ(kfk_partitioner_name((enum kfk_partitioner_kind)99), "?");
}

/* Every kind, a keyed record: the expected partition for 7 and 100
 * partitions (hashes computed independently of this code), every time. */
KT_TEST(keyed_records_are_deterministic)
{
	static const struct {
		enum kfk_partitioner_kind kind;
		const char *key;
		int32_t p7, p100;
	} t[] = {
	    {KFK_PARTITIONER_MURMUR2_STICKY, "kafka", 3, 80},
	    {KFK_PARTITIONER_MURMUR2, "kafka", 3, 80},
	    {KFK_PARTITIONER_MURMUR2_RANDOM, "kafka", 3, 80},
	    {KFK_PARTITIONER_CONSISTENT_RANDOM, "123456789", 5, 62},
	    {KFK_PARTITIONER_CONSISTENT, "123456789", 5, 62},
	    {KFK_PARTITIONER_CONSISTENT, "kafka", 6, 99},
	    {KFK_PARTITIONER_FNV1A, "kafka", 4, 45},
	    {KFK_PARTITIONER_FNV1A_RANDOM, "kafka", 4, 45},
	    {KFK_PARTITIONER_FNV1A, "123456789", 3, 40},
	};
	size_t i;
	int round;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		for (round = 0; round < 50; round++) {
			size_t len = strlen(t[i].key);
			KT_ASSERT_INT_EQ(kfk_partitioner_choose_kind(
			                     t[i].kind, t[i].key, len, 7, NULL, NULL),
			                 t[i].p7);
			KT_ASSERT_INT_EQ(kfk_partitioner_choose_kind(
			                     t[i].kind, t[i].key, len, 100, NULL, NULL),
			                 t[i].p100);
		}
}

/* Keyed records stay on their partition even when it has no leader:
 * moving a key would break its order. */
KT_TEST(keyed_records_ignore_availability)
{
	static const uint8_t none[7] = {0};
	KT_ASSERT_INT_EQ(kfk_partitioner_choose_kind(KFK_PARTITIONER_MURMUR2_STICKY,
	                                             "kafka", 5, 7, NULL, none),
	                 3);
	KT_ASSERT_INT_EQ(kfk_partitioner_choose_kind(KFK_PARTITIONER_CONSISTENT,
	                                             "kafka", 5, 7, NULL, none),
	                 6);
}

/* The partitioners that map every null key to one partition: the one of
 * the empty key, as librdkafka's partitioner functions hash it. */
KT_TEST(null_keys_to_a_single_partition)
{
	struct kfk_sticky s = KFK_STICKY_INIT;
	int round;
	for (round = 0; round < 50; round++) {
		/* murmur2(""): 275646681, the empty-key row of the vectors. */
		KT_ASSERT_INT_EQ(kfk_partitioner_choose_kind(
		                     KFK_PARTITIONER_MURMUR2, NULL, 3, 7, &s, NULL),
		                 2);
		KT_ASSERT_INT_EQ(kfk_partitioner_choose_kind(
		                     KFK_PARTITIONER_MURMUR2, NULL, 0, 100, &s, NULL),
		                 81);
		/* crc32("") is 0. */
		KT_ASSERT_INT_EQ(kfk_partitioner_choose_kind(
		                     KFK_PARTITIONER_CONSISTENT, NULL, 0, 7, &s, NULL),
		                 0);
		KT_ASSERT_INT_EQ(kfk_partitioner_choose_kind(
		                     KFK_PARTITIONER_CONSISTENT, "", 0, 7, &s, NULL),
		                 0);
		/* fnv1a(""): 0x7ee3623b. */
		KT_ASSERT_INT_EQ(kfk_partitioner_choose_kind(
		                     KFK_PARTITIONER_FNV1A, NULL, 0, 7, &s, NULL),
		                 2);
		KT_ASSERT_INT_EQ(kfk_partitioner_choose_kind(
		                     KFK_PARTITIONER_FNV1A, NULL, 0, 100, &s, NULL),
		                 35);
	}
	KT_ASSERT_INT_EQ(atomic_load(&s.partition), -1);
}

/* Draws n choices of kind for key (NULL: a null key) over cnt partitions
 * into hits[]; every choice must be in range and available. */
static void draw(enum kfk_partitioner_kind kind, const void *key, size_t len,
                 int32_t cnt, const uint8_t *available, int n, int *hits)
{
	int i;
	memset(hits, 0, sizeof(int) * (size_t)cnt);
	for (i = 0; i < n; i++) {
		int32_t p =
		    kfk_partitioner_choose_kind(kind, key, len, cnt, NULL, available);
		KT_ASSERT_MSG(p >= 0 && p < cnt, "partition %d of %d", p, cnt);
		KT_ASSERT_MSG(!available || available[p], "unavailable %d", p);
		hits[p]++;
	}
}

/* Pearson's chi-square of hits against a uniform spread over the
 * partitions marked in available (all when NULL). */
static double chi_square(const int *hits, int32_t cnt, const uint8_t *available)
{
	int32_t p, k = 0;
	int n = 0;
	double e, x = 0;
	for (p = 0; p < cnt; p++)
		if (!available || available[p]) {
			k++;
			n += hits[p];
		}
	e = (double)n / k;
	for (p = 0; p < cnt; p++)
		if (!available || available[p])
			x += (hits[p] - e) * (hits[p] - e) / e;
	return x;
}

/* The random placements, with a fixed seed: 40000 draws over 8 partitions
 * stay below chi-square's 99.9% bound for 7 degrees of freedom (24.32),
 * and every partition gets some. */
KT_TEST(random_null_keys_are_uniform)
{
	static const struct {
		enum kfk_partitioner_kind kind;
		const char *key; /* NULL: a null key */
		size_t len;
	} t[] = {
	    {KFK_PARTITIONER_RANDOM, NULL, 0},
	    {KFK_PARTITIONER_RANDOM, "kafka", 5}, /* random ignores keys */
	    {KFK_PARTITIONER_CONSISTENT_RANDOM, NULL, 0},
	    {KFK_PARTITIONER_CONSISTENT_RANDOM, "", 0}, /* empty is random too */
	    {KFK_PARTITIONER_MURMUR2_RANDOM, NULL, 0},
	    {KFK_PARTITIONER_FNV1A_RANDOM, NULL, 0},
	    {KFK_PARTITIONER_MURMUR2_STICKY, NULL, 0}, /* no sticky state */
	};
	int hits[8];
	size_t i;
	int32_t p;

	kfk_partitioner_seed(20240601);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		draw(t[i].kind, t[i].key, t[i].len, 8, NULL, 40000, hits);
		for (p = 0; p < 8; p++)
			KT_ASSERT_MSG(hits[p] > 0, "%s: partition %d never chosen",
			              kfk_partitioner_name(t[i].kind), p);
		KT_ASSERT_MSG(chi_square(hits, 8, NULL) < 24.32,
		              "%s: chi-square %.2f", kfk_partitioner_name(t[i].kind),
		              chi_square(hits, 8, NULL));
	}
}

/* The _random kinds hash an empty (non-NULL) key: only a null key is
 * random for them. */
KT_TEST(random_kinds_hash_empty_keys)
{
	int hits[100];
	draw(KFK_PARTITIONER_MURMUR2_RANDOM, "", 0, 100, NULL, 200, hits);
	KT_ASSERT_INT_EQ(hits[81], 200);
	draw(KFK_PARTITIONER_FNV1A_RANDOM, "", 0, 100, NULL, 200, hits);
	KT_ASSERT_INT_EQ(hits[35], 200);
	draw(KFK_PARTITIONER_MURMUR2_STICKY, "", 0, 100, NULL, 200, hits);
	KT_ASSERT_INT_EQ(hits[81], 200);
}

/* Random placement avoids unavailable partitions and stays uniform over
 * the others, with many available (the quick path) and few (the counted
 * path); with none available it still returns a partition. */
KT_TEST(random_respects_availability)
{
	uint8_t avail[64] = {0};
	int hits[64];
	int32_t p;

	kfk_partitioner_seed(7);
	for (p = 0; p < 8; p++)
		avail[p] = p % 3 != 0; /* 1, 2, 4, 5, 7 */
	draw(KFK_PARTITIONER_RANDOM, NULL, 0, 8, avail, 20000, hits);
	for (p = 0; p < 8; p++)
		KT_ASSERT(avail[p] ? hits[p] > 0 : hits[p] == 0);
	/* 4 degrees of freedom, 99.9%: 18.47. */
	KT_ASSERT(chi_square(hits, 8, avail) < 18.47);

	memset(avail, 0, sizeof(avail));
	avail[13] = avail[50] = 1;
	draw(KFK_PARTITIONER_MURMUR2_RANDOM, NULL, 0, 64, avail, 10000, hits);
	KT_ASSERT_INT_EQ(hits[13] + hits[50], 10000);
	KT_ASSERT(chi_square(hits, 64, avail) < 10.83); /* 1 dof, 99.9% */

	memset(avail, 0, sizeof(avail));
	draw(KFK_PARTITIONER_RANDOM, NULL, 0, 4, NULL, 1, hits);
	for (p = 0; p < 1000; p++) {
		int32_t q = kfk_partitioner_random(64, avail);
		KT_ASSERT(q >= 0 && q < 64);
	}
	KT_ASSERT_INT_EQ(kfk_partitioner_random(0, NULL), -1);
	KT_ASSERT_INT_EQ(kfk_partitioner_random(1, NULL), 0);
}

KT_TEST(seeding_repeats_the_sequence)
{
	int32_t a[32], b[32];
	int i, same = 0;
	kfk_partitioner_seed(99);
	for (i = 0; i < 32; i++)
		a[i] = kfk_partitioner_random(1000, NULL);
	kfk_partitioner_seed(99);
	for (i = 0; i < 32; i++)
		b[i] = kfk_partitioner_random(1000, NULL);
	KT_ASSERT_MEM_EQ(a, sizeof(a), b, sizeof(b));
	kfk_partitioner_seed(100);
	for (i = 0; i < 32; i++)
		same += kfk_partitioner_random(1000, NULL) == a[i];
	KT_ASSERT(same < 8);
}

KT_TEST(no_partitions_no_choice)
{
	struct kfk_sticky s = KFK_STICKY_INIT;
	struct kfk_partitioner pt = {KFK_PARTITIONER_MURMUR2_STICKY, NULL, NULL};
	int k;
	for (k = 0; k < KFK_PARTITIONER_KIND_COUNT; k++) {
		KT_ASSERT_INT_EQ(kfk_partitioner_choose_kind(
		                     (enum kfk_partitioner_kind)k, "k", 1, 0, &s, NULL),
		                 -1);
		KT_ASSERT_INT_EQ(kfk_partitioner_choose_kind(
		                     (enum kfk_partitioner_kind)k, NULL, 0, -3, &s, NULL),
		                 -1);
	}
	KT_ASSERT_INT_EQ(kfk_partitioner_choose(&pt, "t", NULL, 0, 0, &s, NULL), -1);
	KT_ASSERT_INT_EQ(kfk_sticky_get(&s, 0, NULL), -1);
	kfk_sticky_batch_closed(&s, 0, 0, NULL);
	KT_ASSERT_INT_EQ(atomic_load(&s.partition), -1);
}

static int32_t sticky_choice(struct kfk_sticky *s, int32_t cnt,
                             const uint8_t *available)
{
	return kfk_partitioner_choose_kind(KFK_PARTITIONER_MURMUR2_STICKY, NULL, 0,
	                                   cnt, s, available);
}

/* Null keys stay on one partition until its batch closes, then move to
 * another one and stay there. */
KT_TEST(sticky_stays_until_batch_closed)
{
	struct kfk_sticky s;
	int32_t first, second;
	int i;

	kfk_sticky_init(&s);
	KT_ASSERT_INT_EQ(atomic_load(&s.partition), -1);
	first = sticky_choice(&s, 4, NULL);
	KT_ASSERT(first >= 0 && first < 4);
	for (i = 0; i < 1000; i++)
		KT_ASSERT_INT_EQ(sticky_choice(&s, 4, NULL), first);
	/* Another partition's batch closing changes nothing. */
	kfk_sticky_batch_closed(&s, (first + 1) % 4, 4, NULL);
	KT_ASSERT_INT_EQ(sticky_choice(&s, 4, NULL), first);
	kfk_sticky_batch_closed(&s, first, 4, NULL);
	second = sticky_choice(&s, 4, NULL);
	KT_ASSERT(second >= 0 && second < 4 && second != first);
	for (i = 0; i < 1000; i++)
		KT_ASSERT_INT_EQ(sticky_choice(&s, 4, NULL), second);
	/* A second report of the same close does not move it again. */
	kfk_sticky_batch_closed(&s, first, 4, NULL);
	KT_ASSERT_INT_EQ(sticky_choice(&s, 4, NULL), second);
	KT_ASSERT_INT_EQ(kfk_sticky_get(&s, 4, NULL), second);
}

/* Over 400 batch closes on 4 partitions the sticky partition visits every
 * partition about evenly and never repeats itself across a close. */
KT_TEST(sticky_spreads_over_all_partitions)
{
	struct kfk_sticky s = KFK_STICKY_INIT;
	int batches[4] = {0};
	int32_t prev = -1, p;
	int i;

	kfk_partitioner_seed(480);
	for (i = 0; i < 400; i++) {
		p = sticky_choice(&s, 4, NULL);
		KT_ASSERT(p >= 0 && p < 4);
		KT_ASSERT_MSG(p != prev, "close %d: stayed on %d", i, p);
		batches[p]++;
		kfk_sticky_batch_closed(&s, p, 4, NULL);
		prev = p;
	}
	for (p = 0; p < 4; p++)
		KT_ASSERT_MSG(batches[p] >= 50, "partition %d: %d batches of 400", p,
		              batches[p]);
}

/* Only partitions with a leader become sticky; when the sticky one loses
 * its leader, the next record moves; a lone available partition stays
 * sticky across closes. */
KT_TEST(sticky_avoids_unavailable_partitions)
{
	struct kfk_sticky s = KFK_STICKY_INIT;
	uint8_t avail[8] = {0, 1, 0, 1, 1, 0, 0, 1};
	int batches[8] = {0};
	int32_t p;
	int i;

	kfk_partitioner_seed(3);
	for (i = 0; i < 400; i++) {
		p = sticky_choice(&s, 8, avail);
		KT_ASSERT_MSG(avail[p], "close %d: unavailable %d", i, p);
		batches[p]++;
		kfk_sticky_batch_closed(&s, p, 8, avail);
	}
	for (p = 0; p < 8; p++)
		KT_ASSERT(avail[p] ? batches[p] >= 50 : batches[p] == 0);

	p = sticky_choice(&s, 8, avail);
	avail[p] = 0; /* its leader went away */
	i = sticky_choice(&s, 8, avail);
	KT_ASSERT(i != p && avail[i]);

	memset(avail, 0, sizeof(avail));
	avail[6] = 1;
	KT_ASSERT_INT_EQ(sticky_choice(&s, 8, avail), 6);
	kfk_sticky_batch_closed(&s, 6, 8, avail);
	KT_ASSERT_INT_EQ(sticky_choice(&s, 8, avail), 6);
}

/* With no leader anywhere the record still gets a partition (it waits
 * there), and a close still moves on. With one partition, it is always 0. */
KT_TEST(sticky_without_any_leader_and_alone)
{
	struct kfk_sticky s = KFK_STICKY_INIT;
	static const uint8_t none[5] = {0};
	int32_t p, q;

	p = sticky_choice(&s, 5, none);
	KT_ASSERT(p >= 0 && p < 5);
	KT_ASSERT_INT_EQ(sticky_choice(&s, 5, none), p);
	kfk_sticky_batch_closed(&s, p, 5, none);
	q = sticky_choice(&s, 5, none);
	KT_ASSERT(q >= 0 && q < 5 && q != p);

	kfk_sticky_init(&s);
	KT_ASSERT_INT_EQ(sticky_choice(&s, 1, NULL), 0);
	kfk_sticky_batch_closed(&s, 0, 1, NULL);
	KT_ASSERT_INT_EQ(sticky_choice(&s, 1, NULL), 0);
}

/* A sticky partition beyond the partition count (a stale state) is
 * replaced by one in range. */
KT_TEST(sticky_out_of_range_is_replaced)
{
	struct kfk_sticky s = KFK_STICKY_INIT;
	atomic_store(&s.partition, 9);
	KT_ASSERT(kfk_sticky_get(&s, 4, NULL) < 4);
	KT_ASSERT(atomic_load(&s.partition) < 4);
}

/* What the test callback saw and what it answers. */
struct cb_state {
	int32_t answer;
	int calls;
	const char *topic;
	const void *key;
	size_t keylen;
	int32_t cnt;
};

static int32_t test_cb(const char *topic, const void *key, size_t keylen,
                       int32_t partition_cnt, void *opaque)
{
	struct cb_state *st = opaque;
	st->calls++;
	st->topic = topic;
	st->key = key;
	st->keylen = keylen;
	st->cnt = partition_cnt;
	return st->answer;
}

KT_TEST(callback_overrides_the_kind)
{
	struct cb_state st = {3, 0, NULL, NULL, 0, 0};
	struct kfk_partitioner pt = {KFK_PARTITIONER_MURMUR2, test_cb, &st};
	struct kfk_sticky s = KFK_STICKY_INIT;
	int k;

	KT_ASSERT_INT_EQ(kfk_partitioner_choose(&pt, "orders", "kafka", 5, 7, &s,
	                                        NULL),
	                 3);
	KT_ASSERT_INT_EQ(st.calls, 1);
	KT_ASSERT_STR_EQ(st.topic, "orders");
	KT_ASSERT_MEM_EQ(st.key, st.keylen, "kafka", 5);
	KT_ASSERT_INT_EQ(st.cnt, 7);
	/* A null key reaches the callback as NULL, length 0. */
	KT_ASSERT_INT_EQ(kfk_partitioner_choose(&pt, "orders", NULL, 9, 7, &s, NULL),
	                 3);
	KT_ASSERT(st.key == NULL);
	KT_ASSERT_INT_EQ(st.keylen, 0);
	/* Whatever the kind; the callback may pick an unavailable partition,
	 * and the sticky state is left alone. */
	for (k = 0; k < KFK_PARTITIONER_KIND_COUNT; k++) {
		static const uint8_t none[7] = {0};
		pt.kind = (enum kfk_partitioner_kind)k;
		KT_ASSERT_INT_EQ(kfk_partitioner_choose(&pt, "t", NULL, 0, 7, &s, none),
		                 3);
	}
	KT_ASSERT_INT_EQ(atomic_load(&s.partition), -1);
	/* No partitions: the callback is not asked. */
	KT_ASSERT_INT_EQ(kfk_partitioner_choose(&pt, "t", "k", 1, 0, &s, NULL), -1);
	KT_ASSERT_INT_EQ(st.calls, 2 + KFK_PARTITIONER_KIND_COUNT);
}

/* -1 and out-of-range answers fall back to the configured kind. */
KT_TEST(callback_falls_back_to_the_kind)
{
	static const int32_t answers[] = {-1, 7, 8, 1000, -2, INT32_MIN, INT32_MAX};
	struct cb_state st = {0, 0, NULL, NULL, 0, 0};
	struct kfk_partitioner pt = {KFK_PARTITIONER_MURMUR2, test_cb, &st};
	struct kfk_sticky s = KFK_STICKY_INIT;
	size_t i;
	int32_t p;

	for (i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
		st.answer = answers[i];
		pt.kind = KFK_PARTITIONER_MURMUR2;
		KT_ASSERT_INT_EQ(
		    kfk_partitioner_choose(&pt, "t", "kafka", 5, 7, &s, NULL), 3);
		KT_ASSERT_INT_EQ(kfk_partitioner_choose(&pt, "t", NULL, 0, 7, &s, NULL),
		                 2);
		pt.kind = KFK_PARTITIONER_FNV1A;
		KT_ASSERT_INT_EQ(
		    kfk_partitioner_choose(&pt, "t", "kafka", 5, 7, &s, NULL), 4);
		/* The default kind falls back to the sticky partition. */
		pt.kind = KFK_PARTITIONER_MURMUR2_STICKY;
		p = kfk_partitioner_choose(&pt, "t", NULL, 0, 7, &s, NULL);
		KT_ASSERT(p >= 0 && p < 7);
		KT_ASSERT_INT_EQ(atomic_load(&s.partition), p);
	}
	KT_ASSERT_INT_EQ(st.calls, 4 * (int)(sizeof(answers) / sizeof(answers[0])));
	/* Without a callback, the kind alone. */
	pt.cb = NULL;
	pt.kind = KFK_PARTITIONER_CONSISTENT;
	KT_ASSERT_INT_EQ(kfk_partitioner_choose(&pt, "t", "kafka", 5, 100, &s, NULL),
	                 99);
}

/* Four threads produce null-key records to one topic at once, each
 * closing the batch of the partition it got every 64 records, while a
 * partition's availability flickers. Every choice is in range and never
 * the partition that is unavailable throughout; the sticky partition
 * moves. Run under TSan to check the state is race-free. */
#define N_THREADS 4
#define N_CHOICES 100000

struct worker {
	struct kfk_sticky *sticky;
	const uint8_t *avail;
	int bad;
	int hits[6];
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	int i;
	for (i = 0; i < N_CHOICES; i++) {
		int32_t p = kfk_partitioner_choose_kind(KFK_PARTITIONER_MURMUR2_STICKY,
		                                        NULL, 0, 6, w->sticky, w->avail);
		if (p < 0 || p >= 6 || p == 5) {
			w->bad++;
			continue;
		}
		w->hits[p]++;
		if (i % 64 == 63)
			kfk_sticky_batch_closed(w->sticky, p, 6, w->avail);
		/* Keyed records in between take no part in the sticky state. */
		if (kfk_partitioner_choose_kind(KFK_PARTITIONER_MURMUR2_STICKY,
		                                "kafka", 5, 6, w->sticky,
		                                w->avail) != 4)
			w->bad++;
	}
	return NULL;
}

KT_TEST(threads_share_the_sticky_state)
{
	static const uint8_t avail[6] = {1, 1, 1, 1, 1, 0};
	struct kfk_sticky s = KFK_STICKY_INIT;
	struct worker w[N_THREADS];
	pthread_t th[N_THREADS];
	int i, p, total = 0;

	memset(w, 0, sizeof(w));
	for (i = 0; i < N_THREADS; i++) {
		w[i].sticky = &s;
		w[i].avail = avail;
		KT_ASSERT(pthread_create(&th[i], NULL, worker_main, &w[i]) == 0);
	}
	for (i = 0; i < N_THREADS; i++)
		KT_ASSERT(pthread_join(th[i], NULL) == 0);
	for (i = 0; i < N_THREADS; i++) {
		int seen = 0;
		KT_ASSERT_INT_EQ(w[i].bad, 0);
		for (p = 0; p < 6; p++) {
			total += w[i].hits[p];
			seen += w[i].hits[p] > 0;
		}
		/* Thousands of closes: every thread saw the partition move. */
		KT_ASSERT_MSG(seen >= 2, "thread %d saw %d partitions", i, seen);
	}
	KT_ASSERT_INT_EQ(total, N_THREADS * N_CHOICES);
	for (p = 0; p < 5; p++) {
		int sum = 0;
		for (i = 0; i < N_THREADS; i++)
			sum += w[i].hits[p];
		KT_ASSERT_MSG(sum > 0, "partition %d never sticky", p);
	}
}

/* Threads draw from their own generators: two unseeded threads do not
 * produce the same sequence. */
static void *draw_sequence(void *arg)
{
	int32_t *out = arg;
	int i;
	for (i = 0; i < 32; i++)
		out[i] = kfk_partitioner_random(1 << 30, NULL);
	return NULL;
}

KT_TEST(threads_have_their_own_generators)
{
	int32_t a[32], b[32];
	pthread_t ta, tb;
	int i, same = 0;
	KT_ASSERT(pthread_create(&ta, NULL, draw_sequence, a) == 0);
	KT_ASSERT(pthread_create(&tb, NULL, draw_sequence, b) == 0);
	KT_ASSERT(pthread_join(ta, NULL) == 0);
	KT_ASSERT(pthread_join(tb, NULL) == 0);
	for (i = 0; i < 32; i++)
		same += a[i] == b[i];
	KT_ASSERT(same < 4);
}
