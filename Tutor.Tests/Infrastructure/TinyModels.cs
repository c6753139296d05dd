using System.Text;

namespace Tutor.Tests.Infrastructure;

/// <summary>
/// Model files the tests make for themselves: a Whisper model in whisper.cpp's ggml format and a Llama chat model in
/// GGUF, each of the right format and shape but tiny and with random weights. No registry here serves real weights; these
/// let the worker's real loading and inference code run (what they say is noise — the plumbing is what is tested).
/// </summary>
public static class TinyModels
{
    /// <summary>whisper.cpp's legacy ggml layout (hparams, mel filters, vocabulary, tensors), English-only vocabulary size.</summary>
    public static void WriteWhisper(string path, int state = 64, int layers = 1, int heads = 2, int seed = 1)
    {
        const int vocabulary = 51864, audioContext = 1500, textContext = 448, mels = 80, fftBins = 201;
        var random = new Random(seed);
        using var file = new BinaryWriter(File.Create(path));
        file.Write(0x67676d6c); // "ggml"
        // ftype 1: matrices and convolutions in f16 (whisper.cpp's convolution takes nothing else), the rest f32.
        foreach (var value in new[] { vocabulary, audioContext, state, heads, layers, textContext, state, heads, layers, mels, 1 })
        {
            file.Write(value);
        }
        file.Write(mels);
        file.Write(fftBins);
        for (var i = 0; i < mels * fftBins; i++) file.Write((float)random.NextDouble() * 0.01f);

        // A few hundred text tokens; whisper.cpp names the rest (and the special ones) itself. It needs a " " token.
        var words = new List<string> { " " };
        words.AddRange(Enumerable.Range(0, 26).Select(i => ((char)('a' + i)).ToString()));
        words.AddRange(Enumerable.Range(0, 300).Select(i => $" w{i}"));
        file.Write(words.Count);
        foreach (var word in words)
        {
            var bytes = Encoding.UTF8.GetBytes(word);
            file.Write(bytes.Length);
            file.Write(bytes);
        }

        void Tensor(string name, params int[] shape)
        {
            file.Write(shape.Length);
            var nameBytes = Encoding.UTF8.GetBytes(name);
            file.Write(nameBytes.Length);
            var half = name.EndsWith(".weight") && (shape.Length > 1 && !name.Contains("positional"));
            file.Write(half ? 1 : 0);
            foreach (var dimension in shape) file.Write(dimension);
            file.Write(nameBytes);
            WriteWeights(file, name, shape.Aggregate(1L, (a, b) => a * b), random, half);
        }

        Tensor("encoder.positional_embedding", state, audioContext);
        Tensor("encoder.conv1.weight", 3, mels, state);
        Tensor("encoder.conv1.bias", 1, state);
        Tensor("encoder.conv2.weight", 3, state, state);
        Tensor("encoder.conv2.bias", 1, state);
        Tensor("encoder.ln_post.weight", state);
        Tensor("encoder.ln_post.bias", state);
        for (var i = 0; i < layers; i++) Block($"encoder.blocks.{i}", cross: false);
        Tensor("decoder.positional_embedding", state, textContext);
        Tensor("decoder.token_embedding.weight", state, vocabulary);
        Tensor("decoder.ln.weight", state);
        Tensor("decoder.ln.bias", state);
        for (var i = 0; i < layers; i++) Block($"decoder.blocks.{i}", cross: true);

        void Block(string prefix, bool cross)
        {
            Tensor($"{prefix}.mlp_ln.weight", state);
            Tensor($"{prefix}.mlp_ln.bias", state);
            Tensor($"{prefix}.mlp.0.weight", state, 4 * state);
            Tensor($"{prefix}.mlp.0.bias", 4 * state);
            Tensor($"{prefix}.mlp.2.weight", 4 * state, state);
            Tensor($"{prefix}.mlp.2.bias", state);
            foreach (var attention in cross ? new[] { "attn", "cross_attn" } : ["attn"])
            {
                Tensor($"{prefix}.{attention}_ln.weight", state);
                Tensor($"{prefix}.{attention}_ln.bias", state);
                Tensor($"{prefix}.{attention}.query.weight", state, state);
                Tensor($"{prefix}.{attention}.query.bias", state);
                Tensor($"{prefix}.{attention}.key.weight", state, state);
                Tensor($"{prefix}.{attention}.value.weight", state, state);
                Tensor($"{prefix}.{attention}.value.bias", state);
                Tensor($"{prefix}.{attention}.out.weight", state, state);
                Tensor($"{prefix}.{attention}.out.bias", state);
            }
        }
    }

    /// <summary>
    /// A GGUF (version 3) Llama-architecture chat model: a SentencePiece-style vocabulary of the 256 bytes plus letters
    /// and a few words, a ChatML template, F32 weights.
    /// </summary>
    public static void WriteLlama(string path, int embedding = 64, int layers = 1, int heads = 4, int feedForward = 128, int seed = 1)
    {
        var random = new Random(seed);
        var tokens = new List<(string Text, int Type)> { ("<unk>", 2), ("<s>", 3), ("</s>", 3), ("<|im_start|>", 3), ("<|im_end|>", 3) };
        tokens.AddRange(Enumerable.Range(0, 256).Select(b => ($"<0x{b:X2}>", 6)));
        tokens.AddRange(Enumerable.Range(0, 26).Select(i => (((char)('a' + i)).ToString(), 1)));
        tokens.AddRange(new[] { "▁", "▁the", "▁is", "▁good", "▁red", "▁blue", "▁yes", "▁no", "▁correct", "▁reply" }.Select(w => (w, 1)));
        var vocabulary = tokens.Count;

        var metadata = new List<(string Key, Action<BinaryWriter> Value)>
        {
            ("general.architecture", w => String(w, "llama")),
            ("general.name", w => String(w, "tutor-test-tiny")),
            ("llama.context_length", w => UInt32(w, 2048)),
            ("llama.embedding_length", w => UInt32(w, (uint)embedding)),
            ("llama.block_count", w => UInt32(w, (uint)layers)),
            ("llama.feed_forward_length", w => UInt32(w, (uint)feedForward)),
            ("llama.attention.head_count", w => UInt32(w, (uint)heads)),
            ("llama.attention.head_count_kv", w => UInt32(w, (uint)heads)),
            ("llama.rope.dimension_count", w => UInt32(w, (uint)(embedding / heads))),
            ("llama.attention.layer_norm_rms_epsilon", w => { w.Write(6u); w.Write(1e-5f); }),
            ("tokenizer.ggml.model", w => String(w, "llama")),
            ("tokenizer.ggml.tokens", w => { w.Write(9u); w.Write(8u); w.Write((ulong)vocabulary); foreach (var t in tokens) GgufString(w, t.Text); }),
            ("tokenizer.ggml.scores", w => { w.Write(9u); w.Write(6u); w.Write((ulong)vocabulary); foreach (var t in tokens) w.Write(t.Type == 1 ? -(float)t.Text.Length : 0f); }),
            ("tokenizer.ggml.token_type", w => { w.Write(9u); w.Write(5u); w.Write((ulong)vocabulary); foreach (var t in tokens) w.Write(t.Type); }),
            ("tokenizer.ggml.bos_token_id", w => UInt32(w, 1)),
            ("tokenizer.ggml.eos_token_id", w => UInt32(w, 4)),
            ("tokenizer.ggml.unknown_token_id", w => UInt32(w, 0)),
            ("tokenizer.chat_template", w => String(w,
                "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}"
                + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}")),
        };

        var tensors = new List<(string Name, long[] Shape)>
        {
            ("token_embd.weight", [embedding, vocabulary]),
            ("output_norm.weight", [embedding]),
            ("output.weight", [embedding, vocabulary]),
        };
        for (var i = 0; i < layers; i++)
        {
            tensors.AddRange(new (string, long[])[]
            {
                ($"blk.{i}.attn_norm.weight", [embedding]),
                ($"blk.{i}.attn_q.weight", [embedding, embedding]),
                ($"blk.{i}.attn_k.weight", [embedding, embedding]),
                ($"blk.{i}.attn_v.weight", [embedding, embedding]),
                ($"blk.{i}.attn_output.weight", [embedding, embedding]),
                ($"blk.{i}.ffn_norm.weight", [embedding]),
                ($"blk.{i}.ffn_gate.weight", [embedding, feedForward]),
                ($"blk.{i}.ffn_up.weight", [embedding, feedForward]),
                ($"blk.{i}.ffn_down.weight", [feedForward, embedding]),
            });
        }

        const int alignment = 32;
        using var file = new BinaryWriter(File.Create(path));
        file.Write(0x46554747u); // "GGUF"
        file.Write(3u);
        file.Write((ulong)tensors.Count);
        file.Write((ulong)metadata.Count);
        foreach (var (key, value) in metadata)
        {
            GgufString(file, key);
            value(file);
        }
        ulong offset = 0;
        foreach (var (name, shape) in tensors)
        {
            GgufString(file, name);
            file.Write((uint)shape.Length);
            foreach (var dimension in shape) file.Write((ulong)dimension);
            file.Write(0u); // f32
            file.Write(offset);
            offset += Aligned((ulong)(shape.Aggregate(1L, (a, b) => a * b) * 4), alignment);
        }
        Pad(file, alignment);
        foreach (var (name, shape) in tensors)
        {
            var count = shape.Aggregate(1L, (a, b) => a * b);
            WriteWeights(file, name, count, random);
            Pad(file, alignment);
        }

        static void String(BinaryWriter w, string value)
        {
            w.Write(8u);
            GgufString(w, value);
        }
        static void UInt32(BinaryWriter w, uint value)
        {
            w.Write(4u);
            w.Write(value);
        }
    }

    private static void GgufString(BinaryWriter writer, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        writer.Write((ulong)bytes.Length);
        writer.Write(bytes);
    }

    private static ulong Aligned(ulong size, int alignment) => (size + (ulong)alignment - 1) / (ulong)alignment * (ulong)alignment;

    private static void Pad(BinaryWriter writer, int alignment)
    {
        writer.Flush();
        while (writer.BaseStream.Position % alignment != 0) writer.Write((byte)0);
    }

    /// <summary>Norm scales are one (and biases zero), as in a trained model; the rest small random numbers.</summary>
    private static void WriteWeights(BinaryWriter writer, string name, long count, Random random, bool half = false)
    {
        var isNorm = name.Contains("norm") || name.Contains("_ln") || name.Contains(".ln");
        var buffer = new byte[count * (half ? 2 : 4)];
        for (var i = 0; i < count; i++)
        {
            var value = isNorm ? (name.EndsWith("bias") ? 0f : 1f) : (float)(random.NextDouble() - 0.5) * 0.1f;
            if (half) BitConverter.TryWriteBytes(buffer.AsSpan(i * 2), (Half)value);
            else BitConverter.TryWriteBytes(buffer.AsSpan(i * 4), value);
        }
        writer.Write(buffer);
    }
}
