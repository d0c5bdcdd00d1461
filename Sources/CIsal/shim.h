#include <isa-l/igzip_lib.h>

// ISAL_DEF_LVLx_DEFAULT are expressions Swift cannot import: the level buffer ISA-L recommends.
static inline uint32_t tailship_isal_level_buffer_size(uint32_t level) {
    switch (level) {
    case 1: return ISAL_DEF_LVL1_DEFAULT;
    case 2: return ISAL_DEF_LVL2_DEFAULT;
    case 3: return ISAL_DEF_LVL3_DEFAULT;
    default: return ISAL_DEF_LVL0_DEFAULT;
    }
}
