# Turns a Lua source file into a C array so the prelude ships inside the binary.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" n)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
math(EXPR bytes "${n} / 2")
file(WRITE ${OUT} "/* generated from ${IN}; do not edit */\n#include <stddef.h>\nconst unsigned char dessa_prelude[] = {${body} 0x00};\nconst size_t dessa_prelude_len = ${bytes};\n")
