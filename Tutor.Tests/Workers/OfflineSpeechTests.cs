using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Tutor.Contracts.Audio;
using Tutor.Contracts.Devices;
using Tutor.Contracts.Redis;
using Tutor.Device;
using Tutor.Tests.Infrastructure;
using Tutor.Workers.Lessons;
using Tutor.Workers.Speech;

namespace Tutor.Tests.Workers;

/// <summary>The embedded default with real engines and no stand-ins: espeak-ng speaks, pocketsphinx listens.</summary>
[Collection(EngineTests.Collection)]
public sealed class OfflineSpeechTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly RedisServer _redis = new();
    private static readonly IOptions<OfflineSpeechOptions> Engines = Options.Create(new OfflineSpeechOptions());

    public Task InitializeAsync() => _redis.InitializeAsync();

    public Task DisposeAsync() => _redis.DisposeAsync();

    [Fact]
    public async Task Each_lesson_language_speaks_in_its_own_voice_english_with_flite_in_process()
    {
        var gate = new OfflineEngineGate(Engines);
        var voices = new OfflineVoices(Engines, gate, new EspeakTextToSpeech(Engines, gate));
        var sentence = "The strawberry is red.";

        var spanish = await DeviceSpeech.ToDevicePcmAsync(voices.SynthesizeAsync(sentence, "es", CancellationToken.None), AudioParams.Pcm16Mono16k, CancellationToken.None);
        var english = await DeviceSpeech.ToDevicePcmAsync(voices.SynthesizeAsync(sentence, "en", CancellationToken.None), AudioParams.Pcm16Mono16k, CancellationToken.None);
        var flite = FliteVoice.Load("slt").Say(sentence);

        Assert.InRange(spanish.Length / 32000.0, 0.6, 4);
        Assert.InRange(english.Length / 32000.0, 0.6, 4);
        Assert.Equal(16000, flite.SampleRate); // flite's slt speaks at the device's rate: nothing to resample
        Assert.Equal(flite.Pcm.Length, english.Length); // English is flite's, sample for sample
        Assert.NotEqual(spanish.Length, english.Length);
    }

    [Fact]
    public async Task In_free_conversation_pocketsphinx_hears_whatever_is_said_not_only_the_lessons_words()
    {
        var recognizer = new PocketSphinxSpeechToText(Engines, new OfflineEngineGate(Engines), NullLogger<PocketSphinxSpeechToText>.Instance);
        const string said = "i like to play football with my friends after school";
        var speech = FliteVoice.Load("slt").Say(said);
        var audio = new PcmAudio(speech.Pcm.ToArray(), speech.SampleRate, 1);
        var lessonWords = new RecognitionHints(["red", "blue", "green"], "en");

        var free = (await recognizer.TranscribeAsync(audio, lessonWords with { FreeSpeech = true }, CancellationToken.None)).Text;
        var drill = await recognizer.TranscribeAsync(audio, lessonWords, CancellationToken.None);

        var expected = said.Split(' ');
        var heardRight = free.Split(' ').Count(expected.Contains);
        // flite's voice has about 30 % word errors with the general model (the recognition benchmark): 7 of 10 words is
        // what it hears. The lesson's grammar could hear none of them.
        Assert.True(heardRight >= expected.Length - 3, $"free speech heard '{free}'");
        // In a drill the grammar cannot hold these words: its nearest phrase fits badly, so the transcript is what the
        // general model heard, and the confidence says the lesson should ask again rather than judge.
        Assert.InRange(drill.Confidence!.Value, 0, 0.5);
        Assert.Equal(free, drill.Text);
        // Told not to check the fit, it trusts the grammar: the nearest phrase, and no confidence.
        var trusting = Options.Create(new OfflineSpeechOptions { CheckGrammarFit = false });
        var held = await new PocketSphinxSpeechToText(trusting, new OfflineEngineGate(trusting), NullLogger<PocketSphinxSpeechToText>.Instance)
            .TranscribeAsync(audio, lessonWords, CancellationToken.None);
        Assert.DoesNotContain("football", held.Text);
        Assert.Null(held.Confidence);
    }

    [Fact]
    public async Task Pocketsphinx_hears_the_tutors_flite_voice_say_each_accepted_answer()
    {
        var recognizer = new PocketSphinxSpeechToText(Engines, new OfflineEngineGate(Engines), NullLogger<PocketSphinxSpeechToText>.Instance);
        var lesson = ShippedLessons.Get("colours-en-for-es");
        int answers = 0, heardRight = 0;
        foreach (var step in lesson.Steps.Where(s => s.Kind == StepKinds.Ask))
        {
            var hints = new RecognitionHints([.. step.Expect, .. lesson.Vocabulary], "en");
            foreach (var answer in step.Expect)
            {
                answers++;
                var speech = FliteVoice.Load("slt").Say(answer);
                var heard = await recognizer.TranscribeAsync(new PcmAudio(speech.Pcm.ToArray(), speech.SampleRate, 1), hints, CancellationToken.None);
                if (AnswerMatcher.Judge(heard.Text, step) == Judgement.Correct && heard.Confidence >= 0.5) heardRight++;
            }
        }

        Assert.True(heardRight >= answers - 1, $"{heardRight} of {answers} answers in flite's voice heard");
    }

    [Fact]
    public async Task Pocketsphinx_hardly_ever_accepts_a_wrong_answer_and_is_unsure_of_words_its_grammar_does_not_hold()
    {
        var recognizer = new PocketSphinxSpeechToText(Engines, new OfflineEngineGate(Engines), NullLogger<PocketSphinxSpeechToText>.Instance);
        var lesson = ShippedLessons.Get("colours-en-for-es");
        var asked = lesson.Steps.Where(s => s.Kind == StepKinds.Ask).ToList();
        var accepted = new List<string>();
        var notHeldButSure = new List<string>();

        foreach (var step in asked)
        {
            var hints = new RecognitionHints([.. step.Expect, .. lesson.Vocabulary], "en");
            // "purple" is among the grammar's distractors: heard, and judged wrong. The others it does not hold at all.
            foreach (var wrong in new[] { "purple", "computer", "pizza please", "where are we going" })
            {
                foreach (var voice in new[] { "slt", "awb" })
                {
                    var heard = await recognizer.TranscribeAsync(new PcmAudio(TestSpeech.Clearly(wrong, voice), 16000, 1), hints, CancellationToken.None);
                    var sure = heard.Confidence >= 0.5;
                    if (sure && AnswerMatcher.Judge(heard.Text, step) == Judgement.Correct) accepted.Add($"{step.Id}: '{wrong}' ({voice}) as '{heard.Text}'");
                    if (sure && wrong != "purple") notHeldButSure.Add($"{step.Id}: '{wrong}' ({voice}) as '{heard.Text}' {heard.Confidence:F2}");
                }
            }
        }

        // Measured (recognition benchmark, 80 wrong answers in two flite voices over both English lessons): none accepted
        // (one or two, run to run, while flite's voices were unseeded). The target is at most one in 25.
        Assert.True(accepted.Count <= 1, string.Join("; ", accepted));
        // Most phrases the grammar does not hold fit no phrase of it well; a handful do.
        Assert.True(notHeldButSure.Count <= 4, string.Join("; ", notHeldButSure));
    }

    [Fact]
    public async Task A_child_goes_through_a_whole_lesson_by_voice_with_no_account_anywhere()
    {
        // Replies are paced in real time; a long pre-buffer lets the test hear them faster than a child would.
        await using var gateway = new GatewayHost(_redis, new Dictionary<string, string> { ["Devices:ReplyPreBuffer"] = "00:00:05" });
        await using var worker = new WorkerHost(_redis, openAi: null);
        await _redis.WaitForSubscribersAsync(Channels.AudioProcessing, 1);
        await using var device = await gateway.ConnectDeviceAsync("voice-child");
        using var timeout = new CancellationTokenSource(Timeout);
        // "computer" is no answer the grammar holds: the tutor is not sure what it heard, and asks again.
        string[] childSays = ["hello", "red", "computer", "it is blue", "yellow", "green"];
        var replies = new List<DeviceReply>();

        foreach (var words in childSays)
        {
            await device.SpeakAsync(TestSpeech.Clearly(words), timeout.Token);
            replies.Add(await device.ListenForReplyAsync(timeout.Token));
        }

        Assert.All(replies, r => Assert.Null(r.Error));
        Assert.Equal(["red", "it is blue", "yellow", "green"], new[] { 1, 3, 4, 5 }.Select(i => replies[i].Heard));
        Assert.Equal(ShippedLessons.OpeningOf("colours-en-for-es"), replies[0].Sentences);
        Assert.Equal("Great job!", replies[1].Sentences[0]);
        Assert.Equal(["Perdona, no te he oído bien.", "And the sky?", "What colour is the sky?"], replies[2].Sentences);
        Assert.Equal("Yes!", replies[3].Sentences[0]);
        Assert.Equal("Wonderful!", replies[4].Sentences[0]);
        Assert.Contains("Bye bye!", replies[5].Sentences);
        foreach (var reply in replies)
        {
            // flite (English) and espeak-ng (Spanish): between a quarter and two and a half seconds a sentence.
            var seconds = reply.Audio.Length / 32000.0;
            Assert.InRange(seconds, reply.Sentences.Count * 0.25, reply.Sentences.Count * 2.5);
        }
        var progress = await _redis.Database.StringGetAsync(RedisKeys.ChildProgress("voice-child"));
        Assert.Contains("\"step_id\":\"goodbye\"", progress.ToString());
        Assert.Contains("\"incorrect_answers\":0", progress.ToString()); // asking again counted no try
    }

    [Fact]
    public void A_missing_model_or_voice_stops_the_worker_saying_what_is_missing()
    {
        var model = Assert.ThrowsAny<Exception>(() => new WorkerHost(_redis, openAi: null,
            new Dictionary<string, string> { ["OfflineSpeech:AcousticModel"] = "/nonexistent/en-us" }));
        var voice = Assert.ThrowsAny<Exception>(() => new WorkerHost(_redis, openAi: null,
            new Dictionary<string, string> { ["OfflineSpeech:Voices:es"] = "espeak:xx-nonexistent" }));
        var flite = Assert.ThrowsAny<Exception>(() => new WorkerHost(_redis, openAi: null,
            new Dictionary<string, string> { ["OfflineSpeech:Voices:en"] = "flite:nobody" }));

        Assert.Contains("sudo apt-get install -y pocketsphinx-en-us", model.ToString());
        Assert.Contains("espeak-ng has no voice 'xx-nonexistent'", voice.ToString());
        Assert.Contains("flite has no built-in voice 'nobody'", flite.ToString());
    }

    [Fact]
    public void Choosing_openai_without_a_key_or_an_endpoint_stops_the_worker_saying_so()
    {
        var error = Assert.ThrowsAny<Exception>(() => new WorkerHost(_redis, openAi: null,
            new Dictionary<string, string> { ["Providers:Chat:Kind"] = "openai" }));

        Assert.Contains("Providers:Chat is openai but there is no OpenAI API key", error.ToString());
    }

    [Fact]
    public async Task Each_job_has_its_own_provider_a_self_hosted_recognizer_with_offline_voice_and_tutor()
    {
        await using var selfHosted = new OpenAiStandIn { AcceptAnyKey = true };
        await selfHosted.InitializeAsync();
        await using var worker = new WorkerHost(_redis, openAi: null, new Dictionary<string, string>
        {
            // An OpenAI key is configured, for OpenAI: the self-hosted recognizer must never be sent it.
            ["OpenAI:ApiKey"] = "sk-the-familys-openai-key",
            ["Providers:SpeechToText:Kind"] = "openai",
            ["Providers:SpeechToText:Endpoint"] = selfHosted.Endpoint.ToString(),
            ["Providers:SpeechToText:Model"] = "whisper-large-v3",
            ["Providers:SpeechToText:ApiKey"] = "self-hosted-key",
            ["Providers:Chat:Kind"] = "offline",
            ["Providers:TextToSpeech:Kind"] = "offline",
            ["Providers:Moderation:Kind"] = "offline",
        });
        await _redis.WaitForSubscribersAsync(Channels.AudioProcessing, 1);
        var sessionId = Guid.NewGuid().ToString("N");
        await _redis.Database.HashSetAsync(RedisKeys.Session(sessionId), [new(SessionFields.UserId, "mixed-child")]);
        await using var events = await PubSubRecorder.StartAsync(_redis.Connection, RedisChannel.Literal(Channels.Responses(sessionId)));
        var audioKey = RedisKeys.NewUtteranceAudio(sessionId);
        await _redis.Database.StringSetAsync(audioKey, TestAudio.Utterance(TimeSpan.FromSeconds(0.5)), RedisKeys.AudioLifetime);

        await _redis.PublishAnnouncementAsync(new Tutor.Contracts.Messages.UtteranceAnnouncement(sessionId, audioKey));
        await events.WaitForAsync(m => m.Any(e => e.Message.Contains("\"reply_end\"")), Timeout);

        Assert.Equal("whisper-large-v3", Assert.Single(selfHosted.Transcriptions).Model);
        Assert.Equal(["Bearer self-hosted-key"], selfHosted.Authorizations.Distinct());
        Assert.Empty(selfHosted.Speeches);
        Assert.Empty(selfHosted.ChatCompletions);
    }

}
