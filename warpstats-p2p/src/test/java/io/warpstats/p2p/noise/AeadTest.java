package io.warpstats.p2p.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class AeadTest {
    @Test
    void theNativeCipherIsUsedOnLinuxX86() {
        if (System.getProperty("os.name").startsWith("Linux") && System.getProperty("os.arch").equals("amd64")) {
            assertThat(Aead.provider()).startsWith("Conscrypt");
        }
    }

    /** The chosen cipher agrees with the JDK's, frame by frame, under the Noise nonce sequence. */
    @Property(tries = 200)
    void cipherStateAgreesWithTheJdkCipher(@ForAll @Size(max = 3) List<@Size(max = 2000) byte[]> frames,
                                           @ForAll @Size(32) byte[] key) throws Exception {
        CipherState send = new CipherState(key), recv = new CipherState(key);
        Cipher jdk = Cipher.getInstance("ChaCha20-Poly1305");
        long n = 0;
        for (byte[] pt : frames) {
            byte[] ct = send.encrypt(new byte[0], pt);
            byte[] iv = new byte[12];
            for (int i = 0; i < 8; i++) iv[4 + i] = (byte) (n >>> (8 * i));
            n++;
            jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(iv));
            assertThat(ct).isEqualTo(jdk.doFinal(pt));
            assertThat(recv.decrypt(new byte[0], ct)).isEqualTo(pt);
        }
    }

    /**
     * The direct-buffer path (Conscrypt reads and writes Netty's direct memory in place) produces the
     * JDK cipher's bytes, for the chosen provider and for the JDK cipher given direct buffers too; the
     * output buffer's bytes outside the written range stay untouched.
     */
    @Property(tries = 300)
    void directBufferPathAgreesWithTheJdkCipher(@ForAll @Size(max = 4) List<@Size(max = 70_000) byte[]> frames,
                                                @ForAll @Size(32) byte[] key, @ForAll @IntRange(max = 40) int slack,
                                                @ForAll boolean jdkState) throws Exception {
        CipherState send = jdkState ? new CipherState(key, Cipher.getInstance("ChaCha20-Poly1305")) : new CipherState(key);
        CipherState recv = new CipherState(key);
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

    @Test
    void aForgedDirectFrameIsRejected() throws Exception {
        byte[] key = new byte[32];
        ByteBuffer ct = ByteBuffer.allocateDirect(5 + 16);
        new CipherState(key).encrypt(ByteBuffer.allocateDirect(5).put("hello".getBytes()).flip(), ct);
        ct.flip();
        ct.put(3, (byte) (ct.get(3) ^ 1));
        assertThatThrownBy(() -> new CipherState(key).decrypt(ct, ByteBuffer.allocateDirect(5))).isInstanceOf(AEADBadTagException.class);
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
     * (Conscrypt's JNI copies the whole array back; CipherState gives it a private array).
     */
    @Test
    void sealingIntoASharedArrayLeavesOtherRegionsAlone() throws Exception {
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
        CipherState send = new CipherState(new byte[32]);
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
