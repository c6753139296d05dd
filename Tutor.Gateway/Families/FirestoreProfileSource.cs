using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Polly.Timeout;
using Tutor.Contracts.Families;

namespace Tutor.Gateway.Families;

/// <summary>Profiles from Firestore's REST API (<c>documents/users/{uid}</c>); retries and timeouts come from the resilience handler.</summary>
public sealed class FirestoreProfileSource(HttpClient http, FirestoreAuthorization authorization, IOptions<FirebaseOptions> options) : IProfileSource
{
    public async Task<ChildProfile?> FindAsync(string userId, CancellationToken cancellationToken)
    {
        using var request = await RequestAsync(HttpMethod.Get, DocumentUri(userId), cancellationToken);
        using var response = await SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        EnsureSuccess(response);
        var document = await response.Content.ReadFromJsonAsync<JsonNode>(cancellationToken)
            ?? throw new ProfileSourceUnavailableException("Firestore returned an empty document.");
        return FirestoreDocument.ToProfile(userId, document);
    }

    public async Task<IReadOnlyList<ChildProfile>> ChildrenOfAsync(string parentId, CancellationToken cancellationToken)
    {
        var documents = DocumentUri("x").ToString();
        using var request = await RequestAsync(HttpMethod.Post, new Uri(documents[..documents.LastIndexOf("/users/", StringComparison.Ordinal)] + ":runQuery"), cancellationToken);
        request.Content = JsonContent.Create(new JsonObject
        {
            ["structuredQuery"] = new JsonObject
            {
                ["from"] = new JsonArray(new JsonObject { ["collectionId"] = "users" }),
                ["where"] = new JsonObject
                {
                    ["fieldFilter"] = new JsonObject
                    {
                        ["field"] = new JsonObject { ["fieldPath"] = "parents" },
                        ["op"] = "ARRAY_CONTAINS",
                        ["value"] = new JsonObject { ["stringValue"] = parentId },
                    },
                },
            },
        });
        using var response = await SendAsync(request, cancellationToken);
        EnsureSuccess(response);
        var results = await response.Content.ReadFromJsonAsync<JsonArray>(cancellationToken) ?? [];
        return results.Select(r => r?["document"]).OfType<JsonNode>()
            .Select(d => FirestoreDocument.ToProfile(d["name"]!.GetValue<string>().Split('/')[^1], d)).ToList();
    }

    public async Task<ChildProfile> UpdateDeviceSecretsAsync(string userId, Func<IReadOnlyList<DeviceSecret>, IReadOnlyList<DeviceSecret>> change,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var read = await RequestAsync(HttpMethod.Get, DocumentUri(userId), cancellationToken);
            using var current = await SendAsync(read, cancellationToken);
            EnsureSuccess(current);
            var document = (await current.Content.ReadFromJsonAsync<JsonNode>(cancellationToken))!;
            var profile = FirestoreDocument.ToProfile(userId, document);
            var secrets = change(profile.DeviceSecrets);

            // Written only if nobody changed the document since it was read; otherwise read again and redo the change.
            var updateTime = Uri.EscapeDataString(document["updateTime"]?.GetValue<string>() ?? "");
            var uri = new Uri($"{DocumentUri(userId)}?updateMask.fieldPaths={FirestoreDocument.DeviceSecretsField}&currentDocument.updateTime={updateTime}");
            using var write = await RequestAsync(HttpMethod.Patch, uri, cancellationToken);
            write.Content = JsonContent.Create(new JsonObject { ["fields"] = FirestoreDocument.DeviceSecretsFields(secrets) });
            using var written = await SendAsync(write, cancellationToken);
            if (written.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Conflict && attempt < 5
                && (await written.Content.ReadAsStringAsync(cancellationToken)).Contains("FAILED_PRECONDITION"))
            {
                continue;
            }
            EnsureSuccess(written);
            return profile with { DeviceSecrets = secrets };
        }
    }

    public async Task<ChildProfile> SaveChildAsync(ChildProfile child, bool create, CancellationToken cancellationToken)
    {
        // A new document only where none is (exists=false); an edit only of one that is (exists=true), and only its
        // editable fields: the parents and devices are not the page's to overwrite.
        var query = create
            ? "currentDocument.exists=false"
            : string.Join("&", FirestoreDocument.EditableFields.Select(f => $"updateMask.fieldPaths={f}").Append("currentDocument.exists=true"));
        using var write = await RequestAsync(HttpMethod.Patch, new Uri($"{DocumentUri(child.UserId)}?{query}"), cancellationToken);
        write.Content = JsonContent.Create(new JsonObject { ["fields"] = FirestoreDocument.ProfileFields(child, whole: create) });
        using var written = await SendAsync(write, cancellationToken);
        EnsureSuccess(written);
        var document = await written.Content.ReadFromJsonAsync<JsonNode>(cancellationToken)
            ?? throw new ProfileSourceUnavailableException("Firestore returned an empty document.");
        return FirestoreDocument.ToProfile(child.UserId, document);
    }

    public async Task DeleteChildAsync(string userId, CancellationToken cancellationToken)
    {
        using var delete = await RequestAsync(HttpMethod.Delete, DocumentUri(userId), cancellationToken);
        using var deleted = await SendAsync(delete, cancellationToken);
        if (deleted.StatusCode != HttpStatusCode.NotFound) EnsureSuccess(deleted);
    }

    private Uri DocumentUri(string userId)
    {
        var firebase = options.Value;
        var path = $"projects/{firebase.ProjectId}/databases/(default)/documents/users/{Uri.EscapeDataString(userId)}";
        return firebase.UsesEmulator ? new Uri($"http://{firebase.EmulatorHost}/v1/{path}") : new Uri(firebase.FirestoreEndpoint, path);
    }

    private async Task<HttpRequestMessage> RequestAsync(HttpMethod method, Uri uri, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await authorization.GetTokenAsync(cancellationToken));
        return request;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendAsync(request, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException
            || ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new ProfileSourceUnavailableException($"Firestore did not answer: {ex.Message}", ex);
        }
    }

    private static void EnsureSuccess(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new ProfileSourceUnavailableException($"Firestore answered {(int)response.StatusCode} {response.ReasonPhrase}.");
        }
    }
}
