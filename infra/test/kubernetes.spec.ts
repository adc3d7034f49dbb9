import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { parse, parseAllDocuments } from 'yaml';
import { environmentProblems } from './homeward-environment';

const K8S = join(resolve(__dirname, '..', '..'), 'infra', 'k8s');

/** The models of the kinds Homeward's manifests use; validate() checks an object against the Kubernetes OpenAPI schema. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'v1/Secret': Secret,
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'networking.k8s.io/v1/Ingress': Ingress,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [key: string]: unknown;
}

const files = readdirSync(K8S).filter((name) => name.endsWith('.yaml') && name !== 'kustomization.yaml');
const objects: Array<{ file: string; object: K8sObject }> = files.flatMap((file) =>
  parseAllDocuments(readFileSync(join(K8S, file), 'utf8')).map((document) => ({ file, object: document.toJS() as K8sObject })),
);
const ofKind = <T>(kind: string) => objects.filter(({ object }) => object.kind === kind).map(({ object }) => object as unknown as T);

interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
  envFrom?: Array<{ configMapRef?: { name: string } }>;
  ports?: Array<{ name: string; containerPort: number }>;
  readinessProbe?: { httpGet?: { path: string; port: string } };
  livenessProbe?: { httpGet?: { path: string; port: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean };
}
interface DeploymentObject extends K8sObject {
  spec: { replicas: number; template: { metadata: { labels: Record<string, string> }; spec: { securityContext?: { runAsNonRoot?: boolean }; containers: Container[] } } };
}
interface ServiceObject extends K8sObject {
  spec: { type?: string; selector: Record<string, string>; ports: Array<{ port: number; targetPort: string; protocol: string }> };
}

describe('Kubernetes manifests', () => {
  it('every object validates against the Kubernetes API schema (kubernetes-models)', () => {
    const kinds: Record<string, number> = {};
    for (const { file, object } of objects) {
      const Model = MODELS[`${object.apiVersion}/${object.kind}`];
      expect({ file, kind: `${object.apiVersion}/${object.kind}`, known: Model !== undefined }).toEqual({ file, kind: `${object.apiVersion}/${object.kind}`, known: true });
      expect(() => new (Model as NonNullable<typeof Model>)(object as never).validate()).not.toThrow();
      kinds[object.kind] = (kinds[object.kind] ?? 0) + 1;
      if (object.kind !== 'Namespace') expect(object.metadata.namespace).toBe('homeward');
    }
    expect(kinds).toEqual({ ConfigMap: 1, Deployment: 3, Ingress: 1, Namespace: 1, PodDisruptionBudget: 2, Secret: 4, Service: 3 });
  });

  it('the schema check refuses a malformed Deployment', () => {
    const deployment = ofKind<DeploymentObject>('Deployment')[0];
    const broken = JSON.parse(JSON.stringify(deployment)) as { spec: { replicas: unknown; template: { spec: { containers: Array<Record<string, unknown>> } } } };
    broken.spec.replicas = 'two';
    expect(() => new Deployment(broken as never).validate()).toThrow(/replicas must be integer/);
    delete broken.spec.template.spec.containers[0]?.['name'];
    broken.spec.replicas = 2;
    expect(() => new Deployment(broken as never).validate()).toThrow(/containers\/0 must have required property name/);
  });

  it('runs the gateway behind a TCP load balancer, the api behind a Service and Ingress with TLS, and rules workers', () => {
    const deployments = ofKind<DeploymentObject>('Deployment');
    expect(deployments.map((d) => [d.metadata.name, d.spec.template.spec.containers[0]?.args])).toEqual([
      ['homeward-api', ['start', '--no-rules']],
      ['homeward-gateway', ['start']],
      ['homeward-rules', ['rules-worker']],
    ]);
    const services = ofKind<ServiceObject>('Service');
    const loadBalancer = services.find((s) => s.spec.type === 'LoadBalancer');
    expect(loadBalancer?.metadata.name).toBe('homeward-gateway');
    expect(loadBalancer?.spec.ports).toEqual([{ name: 'mqtts', port: 8883, targetPort: 'mqtts', protocol: 'TCP' }]);
    const ingress = ofKind<K8sObject & { spec: { tls: Array<{ secretName: string }> } }>('Ingress')[0];
    expect(ingress?.spec.tls[0]?.secretName).toBe('homeward-api-tls');
    // Every Service selects the pods of a Deployment and targets a port those pods name.
    for (const service of services) {
      const target = deployments.find((d) => Object.entries(service.spec.selector).every(([k, v]) => d.spec.template.metadata.labels[k] === v));
      expect({ service: service.metadata.name, selects: target?.metadata.name !== undefined }).toEqual({ service: service.metadata.name, selects: true });
      const names = target?.spec.template.spec.containers.flatMap((c) => (c.ports ?? []).map((p) => p.name)) ?? [];
      for (const port of service.spec.ports) expect(names).toContain(port.targetPort);
    }
  });

  it.each(ofKind<DeploymentObject>('Deployment').map((d) => [d.metadata.name, d] as const))('%s: probes, resources, non-root, pinned image, secrets that exist, settings Homeward accepts', (_name, deployment) => {
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext?.runAsNonRoot).toBe(true);
    const secrets = ofKind<K8sObject & { stringData: Record<string, string> }>('Secret');
    const config = ofKind<K8sObject & { data: Record<string, string> }>('ConfigMap');
    for (const container of pod.containers) {
      expect(container.image).toMatch(/^[\w./-]+:\d+\.\d+\.\d+$/);
      const ports = (container.ports ?? []).map((p) => p.name);
      expect(container.readinessProbe?.httpGet?.path).toBe('/health/ready');
      expect(container.livenessProbe?.httpGet?.path).toBe('/health/live');
      expect(ports).toContain(container.readinessProbe?.httpGet?.port);
      expect(ports).toContain(container.livenessProbe?.httpGet?.port);
      for (const kind of ['requests', 'limits'] as const) expect(Object.keys(container.resources?.[kind] ?? {}).sort()).toEqual(['cpu', 'memory']);
      expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });

      const env: Record<string, string> = {};
      for (const ref of container.envFrom ?? []) Object.assign(env, config.find((c) => c.metadata.name === ref.configMapRef?.name)?.data ?? {});
      for (const variable of container.env ?? []) {
        const ref = variable.valueFrom?.secretKeyRef;
        if (ref) {
          const value = secrets.find((s) => s.metadata.name === ref.name)?.stringData[ref.key];
          expect({ secret: `${ref.name}/${ref.key}`, exists: value !== undefined }).toEqual({ secret: `${ref.name}/${ref.key}`, exists: true });
          env[variable.name] = value ?? '';
        } else {
          env[variable.name] = variable.value ?? '';
        }
      }
      expect(environmentProblems(env)).toEqual([]);
    }
  });

  it('the kustomization lists every manifest but the example Secrets', () => {
    const kustomization = parse(readFileSync(join(K8S, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
    for (const resource of kustomization.resources) expect(existsSync(join(K8S, resource))).toBe(true);
    expect([...kustomization.resources, 'secrets.example.yaml'].sort()).toEqual([...files].sort());
  });
});
