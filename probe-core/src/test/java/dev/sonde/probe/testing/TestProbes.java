package dev.sonde.probe.testing;

import dev.sonde.bpf.elf.ObjectFormatException;
import dev.sonde.bpf.vm.LoadException;
import dev.sonde.probe.control.ProbeObject;
import dev.sonde.probe.control.Sonde;
import java.io.IOException;
import java.io.InputStream;

/** The probe objects the build compiles from src/test/bpf (bin/sonde-cc, generate-test-resources). */
public final class TestProbes {
    private TestProbes() {
    }

    /** Opens {@code /bpf/<name>} from the test classpath in {@code sonde}. */
    public static ProbeObject open(Sonde sonde, String name) throws IOException, ObjectFormatException, LoadException {
        try (InputStream in = TestProbes.class.getResourceAsStream("/bpf/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no compiled probe /bpf/" + name + " (bin/sonde-cc in generate-test-resources)");
            }
            return sonde.open(name, in.readAllBytes());
        }
    }
}
