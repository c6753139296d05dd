using Google.Apis.Auth.OAuth2;
using Microsoft.Extensions.Options;

namespace Tutor.Gateway.Families;

/// <summary>
/// The bearer token for Firestore's REST API: a service account's OAuth token (refreshed by Google.Apis.Auth), or
/// <c>owner</c> for the emulator.
/// </summary>
public sealed class FirestoreAuthorization(IOptions<FirebaseOptions> options)
{
    private const string DatastoreScope = "https://www.googleapis.com/auth/datastore";
    private readonly SemaphoreSlim _loading = new(1, 1);
    private ITokenAccess? _credential;

    public async Task<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        if (options.Value.UsesEmulator) return "owner";
        var credential = _credential ?? await LoadAsync(cancellationToken);
        return await credential.GetAccessTokenForRequestAsync(cancellationToken: cancellationToken);
    }

    private async Task<ITokenAccess> LoadAsync(CancellationToken cancellationToken)
    {
        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (_credential is not null) return _credential;
            var serviceAccount = await CredentialFactory.FromFileAsync<ServiceAccountCredential>(options.Value.CredentialsPath!, cancellationToken);
            return _credential = serviceAccount.ToGoogleCredential().CreateScoped(DatastoreScope);
        }
        finally
        {
            _loading.Release();
        }
    }
}
