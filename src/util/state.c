/*
 * util/state.c: logged state changes (state.h).
 */
#include "config.h"
#include "util/state.h"

const char *kfk_state_name(const struct kfk_state_machine *m, int s)
{
	if (s < 0 || s >= m->count || !m->names[s])
		return "?";
	return m->names[s];
}

bool kfk_state_change(const struct kfk_state_machine *m,
                      const struct kfk_logger *log, const char *who, int from,
                      int to)
{
	if (from == to)
		return false;
	kfk_dbg(log, m->dbg, m->facility, "%s: %s -> %s", who,
	        kfk_state_name(m, from), kfk_state_name(m, to));
	return true;
}
