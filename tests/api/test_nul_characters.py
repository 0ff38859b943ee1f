"""A NUL in a path or query is a 400 in every service (PostgreSQL text cannot hold one)."""


def test_a_nul_in_a_path_or_query_is_400_in_every_service(client):
    for path in ("/api/catalog/products/%00", "/api/catalog/products?q=%00", "/api/shops/%00",
                 "/api/orders/a%00b", "/api/ranking/members/%00", "/api/members/%00/purchases"):
        response = client.get(path)
        assert response.status_code == 400, path
        assert response.headers["Content-Type"] == "application/problem+json"
