//! The table of documented routes (from the OpenAPI document the routes built), used to
//! answer a known path asked with the wrong method with 405 and its `Allow` list.

use utoipa::openapi::OpenApi;

/// Every documented path template and its methods.
#[derive(Debug, Clone, Default)]
pub struct RouteTable {
    routes: Vec<(Vec<String>, Vec<String>)>,
}

impl RouteTable {
    /// The routes of `doc`.
    pub fn from_openapi(doc: &OpenApi) -> Self {
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(template, item)| {
                let segments = template.split('/').map(str::to_string).collect();
                let ops = [
                    ("DELETE", item.delete.is_some()),
                    ("GET", item.get.is_some()),
                    ("HEAD", item.head.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                ];
                let methods = ops
                    .into_iter()
                    .filter(|(_, present)| *present)
                    .map(|(m, _)| m.to_string())
                    .collect();
                (segments, methods)
            })
            .collect();
        RouteTable { routes }
    }

    /// The methods `path` answers to (empty when no route has that path). A route spelled
    /// out in full wins over one with parameters, as in routing (`/experiments/run` is not
    /// `/experiments/{id}`).
    pub fn methods_of(&self, path: &str) -> Vec<String> {
        let parts: Vec<&str> = path.split('/').collect();
        let matching: Vec<&(Vec<String>, Vec<String>)> = self
            .routes
            .iter()
            .filter(|(template, _)| {
                template.len() == parts.len()
                    && template.iter().zip(&parts).all(|(t, p)| {
                        (t.starts_with('{') && t.ends_with('}') && !p.is_empty()) || t == p
                    })
            })
            .collect();
        let literal: Vec<_> = matching
            .iter()
            .filter(|(template, _)| !template.iter().any(|t| t.starts_with('{')))
            .collect();
        let chosen: Vec<&&(Vec<String>, Vec<String>)> = if literal.is_empty() {
            matching.iter().collect()
        } else {
            literal
        };
        let mut out: Vec<String> = chosen.iter().flat_map(|(_, m)| m.iter().cloned()).collect();
        out.sort();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa_actix_web::AppExt;

    #[test]
    fn known_paths_list_their_methods() {
        let (_, doc) = actix_web::App::new()
            .into_utoipa_app()
            .configure(super::super::routes)
            .split_for_parts();
        let table = RouteTable::from_openapi(&doc);
        assert_eq!(table.methods_of("/api/v1/experiments/run"), ["POST"]);
        assert_eq!(table.methods_of("/api/v1/experiments/abc"), ["GET"]);
        assert_eq!(
            table.methods_of("/api/v1/datasets/x/records/y/label"),
            ["POST"]
        );
        assert!(table.methods_of("/api/v1/nope").is_empty());
        assert!(table.methods_of("/api/v1/experiments//records").is_empty());
    }
}
