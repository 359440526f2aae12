package dev.sonde.bpf.ctx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The C header's struct pt_regs and the Java descriptor list the same fields in the same order. */
class PtRegsLayoutTest {
    @Test
    void headerAndDescriptorAgree() throws IOException {
        String h = Files.readString(Path.of("../c-lib-bindings/include/sonde/probe.h"));
        Matcher m = Pattern.compile("struct pt_regs \\{(.*?)\\};", Pattern.DOTALL).matcher(h);
        m.find();
        List<String> fields = new ArrayList<>();
        Matcher f = Pattern.compile("unsigned long (\\w+);").matcher(m.group(1));
        while (f.find()) {
            fields.add(f.group(1));
        }
        assertEquals(List.of(PtRegs.FIELDS), fields);
        assertEquals(PtRegs.SIZE, 8 * fields.size());
        int[] offsets = {PtRegs.R15, PtRegs.R14, PtRegs.R13, PtRegs.R12, PtRegs.BP, PtRegs.BX, PtRegs.R11, PtRegs.R10,
            PtRegs.R9, PtRegs.R8, PtRegs.AX, PtRegs.CX, PtRegs.DX, PtRegs.SI, PtRegs.DI, PtRegs.ORIG_AX, PtRegs.IP,
            PtRegs.CS, PtRegs.FLAGS, PtRegs.SP, PtRegs.SS};
        for (int i = 0; i < offsets.length; i++) {
            assertEquals(8 * i, offsets[i], PtRegs.FIELDS[i]);
        }
    }
}
