from django.urls import path, re_path

from compliance_hub.accounts.views import link, sign_in, sign_out

app_name = "accounts"
urlpatterns = [
    path("sign-in/", sign_in.sign_in, name="sign_in"),
    path("sign-in/sent/", sign_in.sign_in_sent, name="sign_in_sent"),
    path("sign-in/code/", sign_in.sign_in_code, name="sign_in_code"),
    path("sign-in/confirm/", link.sign_in_confirm, name="sign_in_confirm"),
    path("sign-in/renew/", link.sign_in_renew, name="sign_in_renew"),
    re_path(
        r"^sign-in/(?P<token>[A-Za-z0-9_\-]{20,100})/$", link.sign_in_link, name="sign_in_link"
    ),
    path("sign-out/", sign_out.sign_out, name="sign_out"),
    path("sign-out/everywhere/", sign_out.sign_out_everywhere, name="sign_out_everywhere"),
]
