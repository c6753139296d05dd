using System.Text;

namespace Tutor.Benchmarks.Models;

/// <summary>
/// Model files made here, with random weights: a Whisper model in whisper.cpp's ggml format and a Llama chat model in
/// GGUF. No registry reachable here serves real weights. Tiny ones let the tests run the worker's real loading and
/// inference code (what they say is noise — the plumbing is what is tested); ones of a real model's shape and number
/// format let the <c>own-models</c> benchmark measure what that size costs on this machine.
/// </summary>
public static class RandomModels
{
    /// <summary>whisper.cpp's shapes (state, layers, heads) by model name.</summary>
    public static readonly IReadOnlyDictionary<string, (int State, int Layers, int Heads)> WhisperSizes = new Dictionary<string, (int, int, int)>
    {
        ["tiny.en"] = (384, 4, 6),
        ["base.en"] = (512, 6, 8),
        ["small.en"] = (768, 12, 12),
    };

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
    /// A GGUF (version 3) Llama-architecture chat model: a SentencePiece-style vocabulary of the 256 bytes plus letters,
    /// a few words and <paramref name="extraTokens"/> more, a ChatML template; weights in F32, or the matrices in Q4_0
    /// (<paramref name="quantized"/>) as the small models operators download are.
    /// </summary>
    public static void WriteLlama(string path, int embedding = 64, int layers = 1, int heads = 4, int kvHeads = 4, int feedForward = 128,
        int extraTokens = 0, bool quantized = false, int seed = 1)
    {
        var random = new Random(seed);
        var tokens = new List<(string Text, int Type)> { ("<unk>", 2), ("<s>", 3), ("</s>", 3), ("<|im_start|>", 3), ("<|im_end|>", 3) };
        tokens.AddRange(Enumerable.Range(0, 256).Select(b => ($"<0x{b:X2}>", 6)));
        tokens.AddRange(Enumerable.Range(0, 26).Select(i => (((char)('a' + i)).ToString(), 1)));
        tokens.AddRange(new[] { "▁", "▁the", "▁is", "▁good", "▁red", "▁blue", "▁yes", "▁no", "▁correct", "▁reply" }.Select(w => (w, 1)));
        tokens.AddRange(Enumerable.Range(0, extraTokens).Select(i => ($"▁w{i}", 1)));
        var kv = embedding / heads * kvHeads;
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
            ("llama.attention.head_count_kv", w => UInt32(w, (uint)kvHeads)),
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
                ($"blk.{i}.attn_k.weight", [embedding, kv]),
                ($"blk.{i}.attn_v.weight", [embedding, kv]),
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
        // Q4_0: blocks of 32 weights, each an f16 scale and 16 bytes of 4-bit values.
        bool IsQuantized((string Name, long[] Shape) tensor) => quantized && tensor.Shape.Length == 2;
        long Bytes((string Name, long[] Shape) tensor)
        {
            var count = tensor.Shape.Aggregate(1L, (a, b) => a * b);
            return IsQuantized(tensor) ? count / 32 * 18 : count * 4;
        }
        ulong offset = 0;
        foreach (var tensor in tensors)
        {
            GgufString(file, tensor.Name);
            file.Write((uint)tensor.Shape.Length);
            foreach (var dimension in tensor.Shape) file.Write((ulong)dimension);
            file.Write(IsQuantized(tensor) ? 2u : 0u);
            file.Write(offset);
            offset += Aligned((ulong)Bytes(tensor), alignment);
        }
        Pad(file, alignment);
        foreach (var tensor in tensors)
        {
            if (IsQuantized(tensor))
            {
                var blocks = new byte[Bytes(tensor)];
                random.NextBytes(blocks);
                for (var b = 0; b < blocks.Length; b += 18) BitConverter.TryWriteBytes(blocks.AsSpan(b), (Half)0.01f);
                file.Write(blocks);
            }
            else
            {
                WriteWeights(file, tensor.Name, tensor.Shape.Aggregate(1L, (a, b) => a * b), random);
            }
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
