# tools: sources and tests of this area (included by Makefile.am).
regen-all:
	$(SHELL) $(srcdir)/tools/regen.sh $(KFK_SHARED) $(abs_top_srcdir)
KFK_REGEN += regen-all
EXTRA_DIST += tools/regen.sh
