import type { Template } from 'aws-cdk-lib/assertions';

type CfnResource = { Type: string; Properties: Record<string, unknown> };

/** `METHOD /path` for every method in the template, rebuilt from the Resource → ParentId chain. */
export function deployedRoutes(template: Template): string[] {
  const resources = template.toJSON().Resources as Record<string, CfnResource>;
  const pathOf = (resourceId: unknown): string => {
    if (typeof resourceId === 'object' && resourceId !== null && 'Fn::GetAtt' in resourceId) return '';
    const ref = (resourceId as { Ref: string }).Ref;
    const resource = resources[ref];
    if (!resource) throw new Error(`unknown resource ${ref}`);
    return `${pathOf(resource.Properties.ParentId)}/${resource.Properties.PathPart as string}`;
  };
  return Object.values(resources)
    .filter((resource) => resource.Type === 'AWS::ApiGateway::Method' && resource.Properties.HttpMethod !== 'OPTIONS')
    .map((method) => `${method.Properties.HttpMethod as string} ${pathOf(method.Properties.ResourceId)}`)
    .sort();
}
