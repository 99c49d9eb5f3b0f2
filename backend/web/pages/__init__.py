"""The browser's pages: sign-in and sign-up of the authorization-code flow, as HTML; may import
the web package's bodies, rendering and routes, core and below."""
