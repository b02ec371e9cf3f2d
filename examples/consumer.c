/*
 * consumer: the second kfk program. Reads a topic from the beginning and
 * prints each record as partition, offset, key and value, then stops once
 * every partition's end is reached (what is there now has been read).
 *
 *   cc consumer.c $(pkg-config --cflags --libs kfk) -o consumer
 *   ./consumer localhost:9092 teste 3      (3: the topic's partitions)
 *
 * This consumer picks its partitions itself (assign): no consumer group,
 * no committed offsets. Each partition starts at its first record.
 */
#include <kfk/kfk.h>
#include <stdio.h>
#include <stdlib.h>

/* Sets a property or explains what is wrong with it. */
static int set(kfk_conf *conf, const char *name, const char *value)
{
	char err[256];

	if (kfk_conf_set(conf, name, value, err, sizeof(err)) == KFK_ERR_NONE)
		return 0;
	fprintf(stderr, "%s\n", err);
	return -1;
}

/* Prints one record. Key and value are bytes, not strings: they may be
 * NULL (a null key, a tombstone) and are not NUL-terminated, hence %.*s
 * with their length. */
static void print_record(const kfk_message *m)
{
	size_t key_len, value_len;
	const char *key = kfk_message_key(m, &key_len);
	const char *value = kfk_message_value(m, &value_len);

	printf("partition %d offset %lld: key=%.*s value=%.*s\n",
	       (int)kfk_message_partition(m), (long long)kfk_message_offset(m),
	       key ? (int)key_len : 4, key ? key : "null",
	       value ? (int)value_len : 4, value ? value : "null");
}

/* Trouble of the client as a whole, told inside poll: with no broker to
 * read from there is nothing to wait for. */
static void on_error(void *opaque, const kfk_error *e)
{
	int *stop = opaque;

	fprintf(stderr, "%s\n", kfk_error_string(e));
	if (kfk_error_code(e) == KFK_ERR__ALL_BROKERS_DOWN ||
	    kfk_error_is_fatal(e))
		*stop = 1;
}

int main(int argc, char **argv)
{
	const char *brokers = argc > 1 ? argv[1] : "localhost:9092";
	const char *topic = argc > 2 ? argv[2] : "teste";
	int partitions = argc > 3 ? atoi(argv[3]) : 1, at_end = 0, p;
	int stop = 0, errors = 0;
	char err[256];
	kfk_conf *conf = kfk_conf_new();
	kfk_consumer *c;
	kfk_tplist *list;

	/* enable.partition.eof: poll tells us when a partition's end is
	 * reached, so the program knows when it has read everything. */
	if (partitions < 1 || set(conf, "bootstrap.servers", brokers) ||
	    set(conf, "enable.partition.eof", "true"))
		return 1;
	kfk_conf_set_error_cb(conf, on_error);
	kfk_conf_set_opaque(conf, &stop);
	c = kfk_consumer_new(conf, err, sizeof(err));
	kfk_conf_destroy(conf); /* the consumer keeps its own copy */
	if (!c) {
		fprintf(stderr, "cannot create the consumer: %s\n", err);
		return 1;
	}
	/* Which partitions to read, and where each starts. */
	list = kfk_tplist_new(partitions);
	for (p = 0; p < partitions; p++)
		kfk_tplist_add(list, topic, p, KFK_OFFSET_BEGINNING);
	kfk_consumer_assign(c, list);
	kfk_tplist_destroy(list); /* assign copied what it needs */

	while (at_end < partitions && !stop) {
		/* Fetching runs in the background; poll hands out what came,
		 * waiting up to 1 s for it. NULL: nothing came in that time. */
		kfk_message *m = kfk_consumer_poll(c, 1000);
		if (!m)
			continue;
		if (kfk_message_err(m) == KFK_ERR__PARTITION_EOF)
			at_end++; /* once per partition, if nobody writes meanwhile */
		else if (kfk_message_err(m) && ++errors)
			fprintf(stderr, "%s [%d]: %s\n", kfk_message_topic(m),
			        (int)kfk_message_partition(m), kfk_message_errstr(m));
		else
			print_record(m);
		/* Key and value point into the fetched data: they are valid
		 * until the message is destroyed, which gives the memory back. */
		kfk_message_destroy(m);
	}
	kfk_consumer_close(c);
	kfk_consumer_destroy(c);
	return stop || errors ? 1 : 0; /* did it read everything? */
}
