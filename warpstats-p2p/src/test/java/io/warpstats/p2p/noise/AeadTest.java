package io.warpstats.p2p.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class AeadTest {
    /** OpenSSL's libcrypto is on every Linux machine this project targets (CI installs libssl3). */
    @Test
    void theOpenSslCipherIsUsedOnLinuxX86() {
        if (System.getProperty("os.name").startsWith("Linux") && System.getProperty("os.arch").equals("amd64")) {
            assertThat(Aead.chosen()).isEqualTo(Aead.Kind.OPENSSL);
            assertThat(Aead.provider()).startsWith("OpenSSL");
            assertThat(Aead.available(Aead.Kind.CONSCRYPT)).isTrue();
        }
    }

    private static CipherState state(Aead.Kind kind, byte[] key) {
        return new CipherState(Aead.newChaChaPoly(kind, key));
    }

    /** The chosen cipher agrees with the JDK's, frame by frame, under the Noise nonce sequence. */
    @Property(tries = 300)
    void cipherStateAgreesWithTheJdkCipher(@ForAll @Size(max = 3) List<@Size(max = 2000) byte[]> frames,
                                           @ForAll @Size(32) byte[] key, @ForAll @Size(max = 64) byte[] ad,
                                           @ForAll Aead.Kind kind) throws Exception {
        Assume.that(Aead.available(kind));
        CipherState send = state(kind, key), recv = state(kind, key);
        Cipher jdk = Cipher.getInstance("ChaCha20-Poly1305");
        long n = 0;
        for (byte[] pt : frames) {
            byte[] ct = send.encrypt(ad, pt);
            byte[] iv = new byte[12];
            for (int i = 0; i < 8; i++) iv[4 + i] = (byte) (n >>> (8 * i));
            n++;
            jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(iv));
            jdk.updateAAD(ad);
            assertThat(ct).isEqualTo(jdk.doFinal(pt));
            assertThat(recv.decrypt(ad, ct)).isEqualTo(pt);
        }
    }

    /**
     * The direct-buffer path (the native ciphers read and write Netty's direct memory in place)
     * produces the JDK cipher's bytes, for every implementation as sender and as receiver; the
     * output buffer's bytes outside the written range stay untouched.
     */
    @Property(tries = 300)
    void directBufferPathAgreesWithTheJdkCipher(@ForAll @Size(max = 4) List<@Size(max = 70_000) byte[]> frames,
                                                @ForAll @Size(32) byte[] key, @ForAll @IntRange(max = 40) int slack,
                                                @ForAll Aead.Kind sender, @ForAll Aead.Kind receiver) throws Exception {
        Assume.that(Aead.available(sender) && Aead.available(receiver));
        CipherState send = state(sender, key), recv = state(receiver, key);
        Cipher jdk = Cipher.getInstance("ChaCha20-Poly1305");
        long n = 0;
        for (byte[] whole : frames) {
            byte[] pt = java.util.Arrays.copyOf(whole, Math.min(whole.length, 65519));
            ByteBuffer in = ByteBuffer.allocateDirect(pt.length + 2 * slack);
            in.position(slack);
            in.put(pt).flip().position(slack);
            ByteBuffer out = ByteBuffer.allocateDirect(pt.length + 16 + 2 * slack);
            for (int i = 0; i < out.capacity(); i++) out.put(i, (byte) 0x5A);
            out.position(slack);
            assertThat(send.encrypt(in, out)).isEqualTo(pt.length + 16);
            assertThat(in.remaining()).isZero();
            assertThat(out.position()).isEqualTo(slack + pt.length + 16);
            byte[] ct = new byte[pt.length + 16];
            out.get(slack, ct);
            for (int i = 0; i < slack; i++) {
                assertThat(out.get(i)).isEqualTo((byte) 0x5A);
                assertThat(out.get(out.capacity() - 1 - i)).isEqualTo((byte) 0x5A);
            }
            byte[] iv = new byte[12];
            for (int i = 0; i < 8; i++) iv[4 + i] = (byte) (n >>> (8 * i));
            n++;
            jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(iv));
            assertThat(ct).isEqualTo(jdk.doFinal(pt));
            ByteBuffer back = ByteBuffer.allocateDirect(pt.length);
            assertThat(recv.decrypt(ByteBuffer.allocateDirect(ct.length).put(ct).flip(), back)).isEqualTo(pt.length);
            byte[] opened = new byte[pt.length];
            back.flip().get(opened);
            assertThat(opened).isEqualTo(pt);
        }
    }

    /**
     * The gather seal (Noise seals a flush's writes part after part, without copying them together)
     * gives the bytes of one seal of the concatenation, for any cut into parts, any mix of heap and
     * direct parts, and every implementation.
     */
    @Property(tries = 300)
    void aGatheredSealEqualsOneSealOfTheWhole(@ForAll @Size(max = 6) List<@Size(max = 20_000) byte[]> parts,
                                             @ForAll @Size(32) byte[] key, @ForAll long heapMask,
                                             @ForAll Aead.Kind kind) throws Exception {
        Assume.that(Aead.available(kind));
        ByteBuffer[] in = new ByteBuffer[parts.size()];
        java.io.ByteArrayOutputStream whole = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < in.length; i++) {
            byte[] p = parts.get(i);
            whole.write(p);
            in[i] = ((heapMask >>> i) & 1) == 0 ? ByteBuffer.allocateDirect(p.length).put(p).flip() : ByteBuffer.wrap(p);
        }
        byte[] pt = whole.toByteArray();
        ByteBuffer out = ByteBuffer.allocateDirect(pt.length + 16 + 8);
        out.position(8);
        assertThat(state(kind, key).encrypt(in, out)).isEqualTo(pt.length + 16);
        assertThat(out.position()).isEqualTo(8 + pt.length + 16);
        for (ByteBuffer b : in) assertThat(b.remaining()).isZero();
        byte[] ct = new byte[pt.length + 16];
        out.get(8, ct);
        Cipher jdk = Cipher.getInstance("ChaCha20-Poly1305");
        jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(new byte[12]));
        assertThat(ct).isEqualTo(jdk.doFinal(pt));
    }

    /** A message opened from parts (a frame across socket reads) gives the plaintext; a forged one fails. */
    @Property(tries = 300)
    void aGatheredOpenEqualsOneOpenOfTheWhole(@ForAll @Size(max = 20_000) byte[] pt, @ForAll @Size(max = 5) List<@IntRange(max = 20_100) Integer> cuts,
                                             @ForAll @Size(32) byte[] key, @ForAll long heapMask, @ForAll boolean forge,
                                             @ForAll Aead.Kind kind) throws Exception {
        Assume.that(Aead.available(kind));
        byte[] ct = state(kind, key).encrypt(new byte[0], pt);
        if (forge) ct[ct.length / 2] ^= 1;
        int[] at = cuts.stream().mapToInt(c -> Math.min(c, ct.length)).sorted().toArray();
        ByteBuffer[] parts = new ByteBuffer[at.length + 1];
        for (int i = 0, from = 0; i <= at.length; i++) {
            int to = i < at.length ? at[i] : ct.length;
            byte[] p = java.util.Arrays.copyOfRange(ct, from, to);
            parts[i] = ((heapMask >>> i) & 1) == 0 ? ByteBuffer.allocateDirect(p.length).put(p).flip() : ByteBuffer.wrap(p);
            from = to;
        }
        ByteBuffer out = ByteBuffer.allocateDirect(pt.length + 4);
        out.position(4);
        CipherState recv = state(kind, key);
        if (forge) {
            assertThatThrownBy(() -> recv.decrypt(parts, out)).isInstanceOf(AEADBadTagException.class);
            return;
        }
        assertThat(recv.decrypt(parts, out)).isEqualTo(pt.length);
        byte[] back = new byte[pt.length];
        out.get(4, back);
        assertThat(back).isEqualTo(pt);
    }

    @Test
    void aForgedDirectFrameIsRejected() throws Exception {
        byte[] key = new byte[32];
        ByteBuffer ct = ByteBuffer.allocateDirect(5 + 16);
        new CipherState(key).encrypt(ByteBuffer.allocateDirect(5).put("hello".getBytes()).flip(), ct);
        ct.flip();
        ct.put(3, (byte) (ct.get(3) ^ 1));
        assertThatThrownBy(() -> new CipherState(key).decrypt(ct, ByteBuffer.allocateDirect(5))).isInstanceOf(AEADBadTagException.class);
    }

    /** A heap buffer works too (the native cipher copies it through its own direct memory). */
    @Test
    void heapBuffersGiveTheSameBytesAsDirectOnes() throws Exception {
        byte[] key = new byte[32];
        key[0] = 7;
        ByteBuffer direct = ByteBuffer.allocateDirect(3 + 16), heap = ByteBuffer.allocate(3 + 16);
        new CipherState(key).encrypt(ByteBuffer.allocateDirect(3).put("abc".getBytes()).flip(), direct);
        new CipherState(key).encrypt(ByteBuffer.wrap("abc".getBytes()), heap);
        assertThat(heap.flip()).isEqualTo(direct.flip());
        ByteBuffer back = ByteBuffer.allocate(3);
        assertThat(new CipherState(key).decrypt(heap, back)).isEqualTo(3);
        assertThat(back.array()).isEqualTo("abc".getBytes());
    }

    /** A closed state refuses to work (a native context is freed by then) instead of crashing. */
    @Test
    void aClosedStateRefusesToWork() {
        assumeTrue(Aead.available(Aead.Kind.OPENSSL), "no libcrypto here");
        CipherState s = state(Aead.Kind.OPENSSL, new byte[32]);
        s.close();
        s.close();
        assertThatThrownBy(() -> s.encrypt(new byte[0], new byte[10])).hasMessageContaining("closed");
    }

    @Test
    void aForgedFrameIsRejected() throws Exception {
        byte[] key = new byte[32];
        byte[] ct = new CipherState(key).encrypt(new byte[0], "hello".getBytes());
        ct[2] ^= 1;
        assertThatThrownBy(() -> new CipherState(key).decrypt(new byte[0], ct)).isInstanceOf(AEADBadTagException.class);
    }

    /**
     * The output array may be shared with other threads (Netty's pooled chunks): sealing into one
     * region must never write back stale bytes over another region another thread writes meanwhile
     * (Conscrypt's JNI copies the whole array back, so it gets a private array; OpenSSL is given
     * direct memory only).
     */
    @ParameterizedTest
    @EnumSource(Aead.Kind.class)
    void sealingIntoASharedArrayLeavesOtherRegionsAlone(Aead.Kind kind) throws Exception {
        assumeTrue(Aead.available(kind));
        byte[] shared = new byte[256 * 1024];
        AtomicReference<String> broken = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            for (int round = 1; round < 2_000_000 && !stop.get() && broken.get() == null; round++) {
                byte v = (byte) round;
                for (int i = 200_000; i < 200_256; i++) shared[i] = v;
                for (int i = 200_000; i < 200_256; i++) {
                    if (shared[i] != v) {
                        broken.set("byte " + i + " reverted in round " + round);
                        break;
                    }
                }
            }
        });
        writer.start();
        CipherState send = state(kind, new byte[32]);
        byte[] pt = new byte[65519];
        try {
            for (int i = 0; i < 2_000 && broken.get() == null; i++) send.encrypt(new byte[0], pt, 0, pt.length, shared, 0);
        } finally {
            stop.set(true);
            writer.join(10_000);
        }
        assertThat(broken.get()).isNull();
    }
}
