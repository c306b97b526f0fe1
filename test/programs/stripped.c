/* Built without -g and stripped: the debuggers have no symbols for the program's own code. */
static int parse(const char *s) { return s[3]; }
int main(void) { return parse((const char *)0); }
