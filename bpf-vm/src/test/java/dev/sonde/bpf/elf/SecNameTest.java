package dev.sonde.bpf.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sonde.bpf.elf.SecName.Type;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SecNameTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "kprobe/com.example.Service::handle       | KPROBE       | com.example.Service::handle | false",
        "kretprobe/com.example.Service::handle    | KPROBE       | com.example.Service::handle | true",
        "kprobe/Shop::pay(JI)Z                    | KPROBE       | Shop::pay(JI)Z              | false",
        "kprobe/java.lang.String::<init>          | KPROBE       | java.lang.String::<init>    | false",
        "kprobe                                   | KPROBE       | ''                          | false",
        "kprobe.multi/com.shop.*::get*            | KPROBE_MULTI | com.shop.*::get*            | false",
        "kretprobe.multi/com.shop.*::*            | KPROBE_MULTI | com.shop.*::*               | true",
        "uprobe/usr/bin/x:main                    | UPROBE       | usr/bin/x:main              | false",
        "uretprobe//bin/sh:readline               | UPROBE       | /bin/sh:readline            | true",
        "timer/100ms                              | TIMER        | 100ms                       | false",
        "tracepoint/sched/sched_switch            | TRACEPOINT   | sched/sched_switch          | false",
        "tp/syscalls/sys_enter_open               | TRACEPOINT   | syscalls/sys_enter_open     | false",
        "kprobes/x                                | UNKNOWN      | ''                          | false",
        "kprobe.s/x                               | UNKNOWN      | ''                          | false",
        "fentry/do_sys_open                       | UNKNOWN      | ''                          | false",
        "socket                                   | UNKNOWN      | ''                          | false",
    })
    void parses(String raw, Type type, String target, boolean isReturn) {
        assertEquals(new SecName(type, target, isReturn, raw), SecName.parse(raw));
    }
}
