/*
 * `sockguard explain`: decides one request offline, as the daemon would,
 * and prints the decision, profile, rule and reason.  For people writing
 * rules and for the rule files' own tests.
 */
#ifndef SG_EXPLAIN_H
#define SG_EXPLAIN_H

/* argv[0] is "explain".  Exit status: 0 allowed, 2 denied, 1 error. */
int	explain_main(int argc, char *argv[], const char *default_config);

#endif
