package dev.caravan.origin.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.origin.server.RangeSelection.Slice;
import org.junit.jupiter.api.Test;

class RangeSelectionTest {

    @Test
    void readsSingleRanges() {
        assertThat(RangeSelection.parse("bytes=0-9", 100)).isEqualTo(new Slice(0, 9));
        assertThat(RangeSelection.parse("bytes=90-", 100)).isEqualTo(new Slice(90, 99));
        assertThat(RangeSelection.parse("bytes=-10", 100)).isEqualTo(new Slice(90, 99));
        assertThat(RangeSelection.parse("bytes=-1000", 100)).isEqualTo(new Slice(0, 99));
        assertThat(RangeSelection.parse("bytes=50-5000", 100)).isEqualTo(new Slice(50, 99));
        assertThat(RangeSelection.parse(" Bytes= 3-4 ,", 100)).isEqualTo(new Slice(3, 4));
        assertThat(RangeSelection.parse("bytes=0-99999999999999999999999", 100)).isEqualTo(new Slice(0, 99));
    }

    @Test
    void knowsUnsatisfiableRanges() {
        assertThat(RangeSelection.parse("bytes=100-", 100)).isEqualTo(RangeSelection.UNSATISFIABLE);
        assertThat(RangeSelection.parse("bytes=99999999999999999999999-", 100)).isEqualTo(RangeSelection.UNSATISFIABLE);
        assertThat(RangeSelection.parse("bytes=-0", 100)).isEqualTo(RangeSelection.UNSATISFIABLE);
        assertThat(RangeSelection.parse("bytes=0-", 0)).isEqualTo(RangeSelection.UNSATISFIABLE);
        assertThat(RangeSelection.parse("bytes=-5", 0)).isEqualTo(RangeSelection.UNSATISFIABLE);
    }

    @Test
    void ignoresWhatItDoesNotServe() {
        for (String header : new String[] {null, "", "bytes=", "bytes=,", "bytes=1", "bytes=5-4", "bytes=a-", "bytes=--1",
                "bytes=0-1,3-4", "lines=0-1", "bytes 0-1", "bytes=+1-2", "bytes=-"}) {
            assertThat(RangeSelection.parse(header, 100)).as(header).isEqualTo(RangeSelection.WHOLE);
        }
    }
}
