# Turns the gnuplot scripts (DIR/*.gp) into one C file, OUT, holding the table
# dessa_plot_scripts[] = { name, text, length }, so dessa plot and dessa report work from anywhere.
file(GLOB files ${DIR}/*.gp)
list(SORT files)
set(arrays "")
set(table "")
set(count 0)
foreach(f ${files})
  get_filename_component(name ${f} NAME_WE)
  file(READ ${f} hex HEX)
  string(LENGTH "${hex}" n)
  math(EXPR bytes "${n} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
  string(APPEND arrays "static const unsigned char gp_${name}[] = {${body} 0x00};\n")
  string(APPEND table "    { \"${name}\", gp_${name}, ${bytes} },\n")
  math(EXPR count "${count} + 1")
endforeach()
file(WRITE ${OUT} "/* generated from the scripts in ${DIR} by plots/embed.cmake; do not edit */
#include <stddef.h>
typedef struct dessa_plot_script { const char *name; const unsigned char *src; size_t len; } dessa_plot_script;
${arrays}
extern const dessa_plot_script dessa_plot_scripts[];
extern const size_t dessa_nplot_scripts;
const dessa_plot_script dessa_plot_scripts[] = {
${table}};
const size_t dessa_nplot_scripts = ${count};
")
