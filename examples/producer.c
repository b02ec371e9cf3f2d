/*
 * producer: the first kfk program. Sends a few keyed messages to a topic
 * with acks=all and prints one delivery report per message, as
 * topic[partition]@offset, then flushes before it exits.
 *
 *   cc producer.c $(pkg-config --cflags --libs kfk) -o producer
 *   ./producer localhost:9092 teste
 */
#include <kfk/kfk.h>
#include <stdio.h>
#include <string.h>

/* Called inside kfk_producer_poll() / flush(), on this program's thread. */
static void on_delivery(kfk_producer *p, const kfk_delivery *d, void *opaque)
{
	int *failed = opaque;

	(void)p;
	if (d->err) {
		fprintf(stderr, "message %s failed: %s\n", (const char *)d->opaque,
		        kfk_err_str(d->err));
		(*failed)++;
		return;
	}
	printf("%s[%d]@%lld\n", d->topic, d->partition, (long long)d->offset);
}

/* Sets a property or explains what is wrong with it. */
static int set(kfk_conf *conf, const char *name, const char *value)
{
	char err[256];

	if (kfk_conf_set(conf, name, value, err, sizeof(err)) == KFK_ERR_NONE)
		return 0;
	fprintf(stderr, "%s\n", err);
	return -1;
}

int main(int argc, char **argv)
{
	static const char *keys[] = {"alice", "bob", "carol", "alice", "bob"};
	const char *brokers = argc > 1 ? argv[1] : "localhost:9092";
	const char *topic = argc > 2 ? argv[2] : "teste";
	char err[256], value[64];
	int failed = 0;
	size_t i;
	kfk_conf *conf = kfk_conf_new();
	kfk_producer *p;

	if (set(conf, "bootstrap.servers", brokers) || set(conf, "acks", "all"))
		return 1;
	kfk_conf_set_delivery_cb(conf, on_delivery);
	kfk_conf_set_opaque(conf, &failed);
	p = kfk_producer_new(conf, err, sizeof(err));
	kfk_conf_destroy(conf); /* the producer keeps its own copy */
	if (!p) {
		fprintf(stderr, "cannot create the producer: %s\n", err);
		return 1;
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		kfk_err e;
		snprintf(value, sizeof(value), "message %zu from %s", i, keys[i]);
		/* key and value are copied: value can be reused at once. */
		e = kfk_produce(p, topic, KFK_PARTITION_ANY, keys[i], strlen(keys[i]),
		                value, strlen(value), (void *)keys[i]);
		if (e) {
			fprintf(stderr, "produce failed: %s\n", kfk_err_str(e));
			failed++;
		}
		kfk_producer_poll(p, 0); /* serve reports that are ready */
	}
	if (kfk_producer_flush(p, 10000) != KFK_ERR_NONE) {
		/* Not delivered is not done: say so, and fail. */
		fprintf(stderr, "%d messages not delivered in 10 s: is a broker "
		        "running at %s?\n", kfk_producer_outstanding(p), brokers);
		failed += kfk_producer_outstanding(p);
	}
	kfk_producer_destroy(p);
	return failed ? 1 : 0;
}
